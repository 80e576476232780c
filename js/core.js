// The public calculator API over the wasm-bindgen glue, shared by the browser and Node entries:
// it refuses use before the wasm is loaded and maps every thrown value to a ClvkitError.
import { ClvkitError, toClvkitError } from "./errors.js";
import { Baskets, Dataset, SummaryDataset } from "./dataset.js";
import { PART, feed } from "./ingest.js";

let glue = null;

/** Called by an entry point once the wasm instance is ready. */
export function attach(loaded) {
  glue = loaded;
}

export function isReady() {
  return glue !== null;
}

function call(name, input) {
  if (glue === null) {
    throw new ClvkitError("NOT_INITIALIZED", `clvkit is not initialised: call \`await init()\` before ${name}()`);
  }
  try {
    return glue[name](input);
  } catch (e) {
    throw toClvkitError(e);
  }
}

export const simpleClv = (input) => call("simpleClv", input);
export const profitClv = (input) => call("profitClv", input);
export const retentionClv = (input) => call("retentionClv", input);
export const cac = (input) => call("cac", input);
export const clvCacRatio = (input) => call("clvCacRatio", input);
export const whatIf = (input) => call("whatIf", input);
export const fitSbg = (input) => call("fitSbg", input);
export const version = () => call("version");

function start(kind, options) {
  if (glue === null) {
    throw new ClvkitError("NOT_INITIALIZED", "clvkit is not initialised: call `await init()` before ingesting");
  }
  try {
    return new glue[kind](options);
  } catch (e) {
    throw toClvkitError(e);
  }
}

/**
 * Reads a transactions file (File, Blob, ReadableStream, async iterable of chunks, bytes or text)
 * chunk by chunk into wasm memory and returns a Dataset; `onProgress({ bytes, totalBytes, rows })`
 * is called after each chunk and `signal` (an AbortSignal) cancels.
 */
export async function ingest(source, options = {}, control = {}) {
  const final = withToday(options);
  const ingestor = start("Ingestor", final);
  const part = control?.[PART]?.(final) ?? null;
  return new Dataset(await feed(ingestor, source, control ?? {}, part));
}

/** The options with `today` set to the computer's local date unless given (`null` skips the check). */
function withToday(options) {
  if (options === null || typeof options !== "object" || options.today !== undefined) return options;
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return { ...options, today: `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}` };
}

/** Reads a pre-aggregated summary file (`customer_id,frequency,recency,T[,monetary_value]`). */
export async function ingestSummary(source, options = {}, control = {}) {
  return new SummaryDataset(await feed(start("SummaryIngestor", options), source, control));
}

/** Reads a baskets file: one basket per line, comma-separated item ids (no header). */
export async function ingestBaskets(source, options = {}, control = {}) {
  return new Baskets(await feed(start("BasketIngestor", options), source, control));
}

export { Baskets, ClvkitError, Dataset, SummaryDataset };
