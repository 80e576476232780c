// Node worker thread: reads the last part of a large transactions file for `ingestFile`, in a
// wasm instance of its own, and, when the calling thread is behind, pieces before that part too;
// posts back where they start and then what it collected.
//
// Its job ({ path, from, size, options, pieces }) comes in workerData, or, for a worker started
// ahead by `prepare()`, as the first message, after it has posted { ready: true }. `pieces`, when
// given, is { froms, shared, t0, take }: byte offsets before `from` where pieces may start, a
// SharedArrayBuffer of two Int32s the two threads share (see `js/node.js`), when the calling
// thread started, and (tests) how many pieces to take whatever the speeds. Messages to the parent:
// { start, pieces } (the part's byte offset, or null: no part, read the file in one go; the
// pieces' starts, ascending, before it), then, when start was a number, { part, pieces, first }
// (the part, the pieces this worker read from piece `first` on, in file order, as Uint8Arrays),
// or { part: null } when something failed.
import { parentPort, workerData } from "node:worker_threads";
import { openSync, readSync, closeSync } from "node:fs";
import * as glue from "../dist/wasm/clvkit.js";

const PRIME_CHUNK = 64 << 10; // small: rows read before the formats settle are work thrown away
const CHUNK = 1 << 20;
const WINDOW = 4 << 20; // how far past `from` a part start is looked for
const FIRST_WINDOW = 64 << 10; // where it is looked for first (a start is usually a few lines in)
/** Time to write what was read, as a share of the time it took to read (measured at 1M rows). */
const WRITE_SHARE = 0.2;
/** The calling thread's time to take in a piece (decoded at the join), as a share of reading it. */
const JOIN_SHARE = 0.1;
/** Time to settle a new ingest on the head of the file, in ms. */
const PRIME_MS = 3;

glue.initSync({ module: workerData.module });
const buffer = Buffer.allocUnsafe(Math.max(CHUNK, WINDOW));
if (workerData.job === undefined) parentPort.postMessage({ ready: true });
const { path, from, size, options, pieces: plan } = workerData.job ?? (await new Promise((resolve) => parentPort.once("message", resolve)));

let fd = null;
let started = false;
const ingestors = [];

/** Bytes [at, at + length) of the file (fewer at its end). */
function read(at, length) {
  const n = readSync(fd, buffer, 0, Math.min(length, buffer.length), at);
  return buffer.subarray(0, n);
}

/** A new Ingestor settled by the head of the file and made a part's reader, or null when the
 *  head does not settle it. */
function primed() {
  const ingestor = new glue.Ingestor(options);
  ingestors.push(ingestor);
  for (let at = 0; !ingestor.isSettled() && at < from; ) {
    const chunk = read(at, PRIME_CHUNK);
    if (chunk.length === 0) break;
    ingestor.push(chunk);
    at += chunk.length;
  }
  if (!ingestor.isSettled()) return null;
  ingestor.startPart();
  return ingestor;
}

/** Where a part could start after byte `at`, or -1. Looked for in a window widened only while
 *  none is found: every byte looked at is copied into wasm memory. */
function startAfter(ingestor, at) {
  for (let window = FIRST_WINDOW; window <= WINDOW; window *= 4) {
    const bytes = read(at, window);
    const offset = ingestor.partStart(bytes);
    if (offset >= 0) return at + offset;
    if (bytes.length < window) break; // the file ends within it
  }
  return -1;
}

/** Reads bytes [start, end) into `ingestor` and writes what it collected. */
function readPart(ingestor, start, end) {
  ingestor.expectBytes(end - start);
  for (let at = start; at < end; ) {
    const chunk = read(at, Math.min(CHUNK, end - at));
    if (chunk.length === 0) break;
    ingestor.push(chunk);
    at += chunk.length;
  }
}

const now = () => performance.timeOrigin + performance.now();

/**
 * Piece claims, shared with the calling thread: word 0 holds the next piece the calling thread
 * may take (low 16 bits) and the first piece this worker took (high 16 bits; the piece count
 * while it took none); word 1 the KiB the calling thread has read. Each side claims a piece with
 * a compare-and-swap, the calling thread from the first piece on, this worker from the last back.
 */
function claimLast(claims, piece) {
  for (;;) {
    const word = Atomics.load(claims, 0);
    const callerNext = word & 0xffff;
    if (piece !== (word >>> 16) - 1 || piece < callerNext) return false;
    if (Atomics.compareExchange(claims, 0, word, callerNext | (piece << 16)) === word) return true;
  }
}

try {
  fd = openSync(path, "r");
  const ingestor = primed();
  const start = ingestor === null ? -1 : startAfter(ingestor, from);
  if (start < 0) {
    parentPort.postMessage({ start: null });
  } else {
    // The pieces' starts, ascending, each before the next and the part's.
    const starts = [];
    for (const at of plan?.froms ?? []) {
      const s = startAfter(ingestor, at);
      if (s > (starts.at(-1) ?? -1) && s < start) starts.push(s);
    }
    const claims = plan ? new Int32Array(plan.shared) : null;
    if (claims !== null) Atomics.store(claims, 0, starts.length << 16);
    started = true;
    parentPort.postMessage({ start, pieces: starts });
    const t = now();
    readPart(ingestor, start, size);
    const readMs = now() - t;
    // Pieces from the last back, while taking one ends the reading sooner than leaving it to the
    // calling thread would (both threads' speeds as measured so far).
    const myRate = (size - start) / Math.max(readMs, 1); // bytes per ms
    let pending = WRITE_SHARE * readMs; // writing what was read
    const pieces = [];
    const forced = plan?.take !== undefined;
    let first = starts.length;
    while (claims !== null && first > 0) {
      const piece = first - 1;
      const pieceStart = starts[piece];
      const pieceEnd = starts[piece + 1] ?? start;
      const callerBytes = Atomics.load(claims, 1) * 1024;
      const callerRate = callerBytes / Math.max(now() - plan.t0, 1);
      if (!forced && (callerRate <= 0 || callerBytes >= pieceStart)) break;
      const pieceMs = (pieceEnd - pieceStart) / myRate;
      const taking = Math.max(
        (pieceStart - callerBytes) / callerRate + JOIN_SHARE * pieceMs,
        pending + PRIME_MS + pieceMs * (1 + WRITE_SHARE),
      );
      const leaving = Math.max((pieceEnd - callerBytes) / callerRate, pending);
      if ((forced ? starts.length - piece > plan.take : taking >= leaving) || !claimLast(claims, piece)) break;
      const reader = primed();
      if (reader === null) throw new Error("the head of the file no longer settles its formats");
      readPart(reader, pieceStart, pieceEnd);
      pieces.unshift(reader.writePart());
      pending += WRITE_SHARE * pieceMs;
      first = piece;
    }
    const part = ingestor.writePart();
    parentPort.postMessage({ part, pieces, first }, [part.buffer, ...pieces.map((p) => p.buffer)]);
  }
} catch {
  // Any failure (strict mode stopping at a bad row, a file changed underfoot): the parent reads
  // the file itself, and meets the same error there if it is one.
  parentPort.postMessage(started ? { part: null } : { start: null });
} finally {
  for (const ingestor of ingestors) ingestor.free();
  if (fd !== null) closeSync(fd);
}
