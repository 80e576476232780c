// Node entry (>= 20, ESM): compiles the packaged clvkit_bg.wasm synchronously at import,
// so every calculator is ready at once; init() exists for code shared with browsers.
import { readFileSync, createReadStream, statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import * as glue from "../dist/wasm/clvkit.js";
import { attach } from "./core.js";
import { PART } from "./ingest.js";

// Compiled once: the instance here and the part workers' instances share it.
const wasmModule = new WebAssembly.Module(readFileSync(new URL("../dist/wasm/clvkit_bg.wasm", import.meta.url)));
glue.initSync({ module: wasmModule });
attach(glue);

/** Files at least this large are read in two parts at once (below, a worker costs more than it saves). */
const PART_MIN_BYTES = 16 << 20;
/** Where the worker's part starts, as a share of the file: it starts later and reads its formats
 *  first, and the first part's thread joins and finishes. */
const PART_FROM = 0.57;

/** A worker reading the file from the first suitable record after `from` (js/part-worker.js). */
function partWorker(path, size, options) {
  const from = Math.floor(size * PART_FROM);
  let worker;
  try {
    worker = new Worker(new URL("./part-worker.js", import.meta.url), { workerData: { module: wasmModule, path, from, size, options } });
  } catch {
    return null;
  }
  worker.unref();
  let startDone, partDone;
  const start = new Promise((resolve) => (startDone = resolve));
  const part = new Promise((resolve) => (partDone = resolve));
  worker.on("message", (message) => {
    if ("start" in message) {
      startDone(message.start);
      if (message.start === null) partDone(null);
    } else if ("part" in message) {
      partDone(message.part);
    }
  });
  const failed = () => {
    startDone(null);
    partDone(null);
  };
  worker.on("error", failed);
  worker.on("exit", failed);
  return { from, size, start, part, stop: () => void worker.terminate() };
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

const fileChunks = (path) => createReadStream(path, { highWaterMark: 1 << 20 });

/**
 * Node only: ingests a transactions file from disk, streamed in 1 MiB chunks. A file of 16 MiB or
 * more is read in two parts at once, the second by a worker thread (`parallel: false` in `control`
 * reads it in one); the dataset is the same either way.
 */
export function ingestFile(path, options = {}, control = {}) {
  const size = fileSize(path);
  const parts = control?.parallel !== false && size !== null && size >= PART_MIN_BYTES;
  const hook = parts ? { [PART]: (final) => partWorker(path, size, final) } : {};
  return ingest(fileChunks(path), options, { ...control, ...hook });
}

/** Node only: ingests a summary file from disk. */
export function ingestSummaryFile(path, options = {}, control = {}) {
  return ingestSummary(fileChunks(path), options, control);
}

/** Node only: ingests a baskets file from disk. */
export function ingestBasketsFile(path, options = {}, control = {}) {
  return ingestBaskets(fileChunks(path), options, control);
}

export async function init() {}

export default init;
