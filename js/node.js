// Node entry (>= 20, ESM): compiles the packaged clvkit_bg.wasm synchronously at import,
// so every calculator is ready at once; init() exists for code shared with browsers.
import { readFileSync, createReadStream } from "node:fs";
import * as glue from "../dist/wasm/clvkit.js";
import { attach } from "./core.js";

glue.initSync({ module: readFileSync(new URL("../dist/wasm/clvkit_bg.wasm", import.meta.url)) });
attach(glue);

export * from "./core.js";
import { ingest, ingestBaskets, ingestSummary } from "./core.js";

const fileChunks = (path) => createReadStream(path, { highWaterMark: 1 << 20 });

/** Node only: ingests a transactions file from disk, streamed in 1 MiB chunks. */
export function ingestFile(path, options = {}, control = {}) {
  return ingest(fileChunks(path), options, control);
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
