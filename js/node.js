// Node entry (>= 20, ESM): compiles the packaged clvkit_bg.wasm synchronously at import,
// so every calculator is ready at once; init() exists for code shared with browsers.
import { closeSync, openSync, read, readFileSync, readSync, statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import * as glue from "../dist/wasm/clvkit.js";
import { attach } from "./core.js";
import { PART, SIZE, TAKE } from "./ingest.js";

// Compiled once: the instance here and the part workers' instances share it.
const wasmModule = new WebAssembly.Module(readFileSync(new URL("../dist/wasm/clvkit_bg.wasm", import.meta.url)));
glue.initSync({ module: wasmModule });
attach(glue);

/** Files at least this large are read in two parts at once (below, a worker costs more than it saves). */
const PART_MIN_BYTES = 16 << 20;
/** Where the worker's part starts, as a share of the file: it starts later and reads its formats
 *  first, and the first part's thread joins and finishes. */
const PART_FROM = 0.55;
/** Where pieces before the part start, as shares of the file: the calling thread reads each one
 *  it reaches first, the worker, once done with its part, those it would finish sooner (the
 *  threads' speeds vary by the moment on a shared machine). */
const PIECES_FROM = [0.41, 0.43, 0.45, 0.47, 0.49, 0.51, 0.53];

const PART_WORKER = new URL("./part-worker.js", import.meta.url);

/**
 * The part worker kept ready by `prepare()` (booted, waiting for its file), and whether one is to
 * be kept ready: a worker thread takes 50-150 ms to start, time a large file's second part waits.
 */
let ready = null;
let keepReady = false;

/** Starts a part worker that waits for its job (`{ worker, online }`: online resolves to whether it
 *  booted), or null when no worker thread can be started. */
function standby() {
  let worker;
  try {
    worker = new Worker(PART_WORKER, { workerData: { module: wasmModule } });
  } catch {
    return null;
  }
  worker.unref();
  const helper = { worker, online: null, gone: false };
  helper.online = new Promise((resolve) => {
    worker.once("message", (message) => resolve(message?.ready === true));
    worker.once("error", () => resolve(false));
    worker.once("exit", () => resolve(false));
  });
  worker.on("error", () => {}); // reported through `online` or the part's promises
  worker.once("exit", () => {
    helper.gone = true;
    if (ready === helper) ready = null;
  });
  return helper;
}

/**
 * Node only: starts the worker thread `ingestFile` reads a large file's second part with, so that
 * the next large file does not wait for it to boot; after each use another is started and kept
 * ready. Resolves once it is ready (or could not start: `ingestFile` then starts one as it would
 * without `prepare`). The waiting worker does not keep the process alive.
 */
export async function prepare() {
  keepReady = true;
  ready ??= standby();
  await ready?.online;
}

/**
 * A worker reading the file from the first suitable record after `from` (js/part-worker.js), and
 * pieces before that its thread takes: `{ from, size, start, part, claim, progress, stop }`.
 * `start` resolves to `{ start, pieces }` (where the part and the pieces start) or null; `part` to
 * `{ part, pieces, first }` (the pieces from piece `first` on) or null. `claim(i)` takes piece `i`
 * for the calling thread (false when the worker took it), `progress(bytes)` tells the worker how
 * far the calling thread has read. `take` (tests) makes the worker take that many pieces when it
 * gets to them first.
 */
function partWorker(path, size, options, take) {
  const from = Math.floor(size * PART_FROM);
  const shared = new SharedArrayBuffer(8);
  const claims = new Int32Array(shared);
  const froms = PIECES_FROM.map((share) => Math.floor(size * share));
  const job = { path, from, size, options, pieces: { froms, shared, t0: performance.timeOrigin + performance.now(), take } };
  let worker;
  try {
    if (ready?.gone === false) {
      worker = ready.worker;
      worker.postMessage(job);
    } else {
      worker = new Worker(PART_WORKER, { workerData: { module: wasmModule, job } });
      worker.unref();
    }
  } catch {
    return null;
  } finally {
    ready = null;
  }
  let startDone, partDone;
  const start = new Promise((resolve) => (startDone = resolve));
  const part = new Promise((resolve) => (partDone = resolve));
  let pieces = 0;
  worker.on("message", (message) => {
    if ("start" in message) {
      pieces = message.pieces?.length ?? 0;
      startDone(message.start === null ? null : { start: message.start, pieces: message.pieces });
      if (message.start === null) partDone(null);
    } else if ("part" in message) {
      partDone(message.part === null ? null : { part: message.part, pieces: message.pieces, first: message.first });
    }
  });
  const failed = () => {
    startDone(null);
    partDone(null);
  };
  worker.on("error", failed);
  worker.on("exit", failed);
  const stop = () => {
    void worker.terminate();
    // The next one boots after this ingest, not while it runs.
    if (keepReady) setTimeout(() => (ready ??= standby()), 0).unref();
  };
  // Word 0: the next piece this thread may take (low 16 bits), the first the worker took (high).
  const claim = (piece) => {
    if (take !== undefined && piece >= pieces - take) return false;
    for (;;) {
      const word = Atomics.load(claims, 0);
      if (piece !== (word & 0xffff) || piece >= word >>> 16) return false;
      if (Atomics.compareExchange(claims, 0, word, (piece + 1) | (word & ~0xffff)) === word) return true;
    }
  };
  const progress = (bytes) => Atomics.store(claims, 1, Math.min(Math.floor(bytes / 1024), 0x7fffffff));
  return { from: Math.min(from, ...froms), size, start, part, claim, progress, stop };
}

function fileSize(path) {
  try {
    return statSync(path).size;
  } catch {
    return null; // the read stream reports it
  }
}

export * from "./core.js";
import { ingest, ingestBaskets, ingestSummary } from "./core.js";

const FILE_CHUNK = 1 << 20;

/** Reads up to `buffer.length` bytes of `fd` at its position: resolves to the count read. */
const readInto = (fd, buffer) =>
  new Promise((resolve, reject) => read(fd, buffer, 0, buffer.length, null, (e, n) => (e ? reject(e) : resolve(n))));

/**
 * A file's bytes in 1 MiB chunks, read into two buffers in turn, the next read under way while
 * the previous chunk is ingested: a chunk stays valid until the next one is asked for, which is
 * how `feed` uses them. (A read stream allocates a new buffer per chunk: fresh pages, then a free,
 * for every MiB.) The file is opened and its first chunk read synchronously: the thread pool can
 * take 5-15 ms to get to them while the part worker and V8's compiler threads keep both cores busy,
 * time the ingest would wait at its start.
 */
async function* fileChunks(path) {
  const fd = openSync(path, "r");
  let pending = null;
  try {
    const buffers = [Buffer.allocUnsafeSlow(FILE_CHUNK), Buffer.allocUnsafeSlow(FILE_CHUNK)];
    let turn = 0;
    let n = readSync(fd, buffers[turn], 0, FILE_CHUNK, null);
    while (n > 0) {
      const chunk = buffers[turn].subarray(0, n);
      turn ^= 1;
      pending = readInto(fd, buffers[turn]);
      yield chunk;
      n = await pending;
      pending = null;
    }
  } finally {
    // A read still under way (the ingest stopped early) ends before its descriptor is closed.
    await pending?.catch(() => {});
    closeSync(fd);
  }
}

/**
 * Node only: ingests a transactions file from disk, streamed in 1 MiB chunks. A file of 16 MiB or
 * more is read in two parts at once, the second by a worker thread (`parallel: false` in `control`
 * reads it in one); the dataset is the same either way.
 */
export function ingestFile(path, options = {}, control = {}) {
  const size = fileSize(path);
  const parts = control?.parallel !== false && size !== null && size >= PART_MIN_BYTES;
  const hook = parts ? { [PART]: (final) => partWorker(path, size, final, control?.[TAKE]) } : {};
  return ingest(fileChunks(path), options, { ...control, ...hook, [SIZE]: size });
}

/** Node only: ingests a summary file from disk. */
export function ingestSummaryFile(path, options = {}, control = {}) {
  return ingestSummary(fileChunks(path), options, { ...control, [SIZE]: fileSize(path) });
}

/** Node only: ingests a baskets file from disk. */
export function ingestBasketsFile(path, options = {}, control = {}) {
  return ingestBaskets(fileChunks(path), options, { ...control, [SIZE]: fileSize(path) });
}

export async function init() {}

export default init;
