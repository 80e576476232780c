// Node worker thread: reads the second part of a large transactions file for `ingestFile`, in a
// wasm instance of its own, and posts back where its part starts and then what it collected.
//
// Its job ({ path, from, size, options }) comes in workerData, or, for a worker started ahead by
// `prepare()`, as the first message, after it has posted { ready: true }. Messages to the parent:
// { start } (a byte offset, or null: no part, read the file in one go), then, when start was a
// number, { part } (a Uint8Array, or null when the part failed).
import { parentPort, workerData } from "node:worker_threads";
import { openSync, readSync, closeSync } from "node:fs";
import * as glue from "../dist/wasm/clvkit.js";

const PRIME_CHUNK = 64 << 10; // small: rows read before the formats settle are work thrown away
const CHUNK = 1 << 20;
const WINDOW = 4 << 20; // how far past `from` a part start is looked for
const FIRST_WINDOW = 64 << 10; // where it is looked for first (a start is usually a few lines in)

glue.initSync({ module: workerData.module });
const buffer = Buffer.allocUnsafe(Math.max(CHUNK, WINDOW));
if (workerData.job === undefined) parentPort.postMessage({ ready: true });
const { path, from, size, options } = workerData.job ?? (await new Promise((resolve) => parentPort.once("message", resolve)));

let fd = null;
let ingestor = null;
let started = false;

/** Bytes [at, at + length) of the file (fewer at its end). */
function read(at, length) {
  const n = readSync(fd, buffer, 0, Math.min(length, buffer.length), at);
  return buffer.subarray(0, n);
}

try {
  fd = openSync(path, "r");
  ingestor = new glue.Ingestor(options);
  let at = 0;
  while (!ingestor.isSettled() && at < from) {
    const chunk = read(at, PRIME_CHUNK);
    if (chunk.length === 0) break;
    ingestor.push(chunk);
    at += chunk.length;
  }
  let start = -1;
  if (ingestor.isSettled()) {
    ingestor.startPart();
    // Widened only while no start is found: every byte looked at is copied into wasm memory.
    for (let window = FIRST_WINDOW; start < 0 && window <= WINDOW; window *= 4) {
      const bytes = read(from, window);
      const offset = ingestor.partStart(bytes);
      if (offset >= 0) start = from + offset;
      else if (bytes.length < window) break; // the file ends within it
    }
  }
  if (start < 0) {
    parentPort.postMessage({ start: null });
  } else {
    started = true;
    parentPort.postMessage({ start });
    ingestor.expectBytes(size - start);
    for (let at = start; at < size; ) {
      const chunk = read(at, CHUNK);
      if (chunk.length === 0) break;
      ingestor.push(chunk);
      at += chunk.length;
    }
    const part = ingestor.writePart();
    parentPort.postMessage({ part }, [part.buffer]);
  }
} catch {
  // Any failure (strict mode stopping at a bad row, a file changed underfoot): the parent reads
  // the file itself, and meets the same error there if it is one.
  parentPort.postMessage(started ? { part: null } : { start: null });
} finally {
  ingestor?.free();
  if (fd !== null) closeSync(fd);
}
