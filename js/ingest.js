// Streams a file (File, Blob, ReadableStream, Node stream, bytes or text) into the wasm ingest in
// chunks, reporting progress and honouring an AbortSignal; returns a Dataset living in wasm memory.
import { ClvkitError, toClvkitError } from "./errors.js";

const CHUNK = 1 << 20; // slices of in-memory input; streams keep their own chunk sizes

/**
 * Gives the event loop a turn so a page stays responsive between chunks: `setImmediate` in Node,
 * a message to itself in browsers and workers (`setTimeout(0)` waits 1 ms in Node and 4 ms in
 * browsers once timers nest, idle time that adds up to tens of ms over a large file).
 */
function yieldToEventLoop() {
  if (typeof setImmediate === "function") return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === "function") {
    const { port1, port2 } = new MessageChannel();
    return new Promise((resolve) => {
      port1.onmessage = () => {
        port1.close();
        resolve();
      };
      port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Yield only after this long (a frame) since the last turn. */
const YIELD_EVERY_MS = 16;

function byteLength(source) {
  if (typeof source === "string") return null;
  if (source instanceof ArrayBuffer) return source.byteLength;
  if (ArrayBuffer.isView(source)) return source.byteLength;
  if (typeof Blob !== "undefined" && source instanceof Blob) return source.size;
  return null;
}

function* slices(bytes) {
  for (let at = 0; at < bytes.byteLength; at += CHUNK) yield bytes.subarray(at, at + CHUNK);
}

function asBytes(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return new TextEncoder().encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new ClvkitError("INVALID_INPUT", `a file chunk must be bytes or text, got ${chunk === null ? "null" : typeof chunk}`, "source");
}

/** The chunks of any supported source, as Uint8Arrays. */
async function* chunksOf(source) {
  if (typeof source === "string") {
    yield* slices(new TextEncoder().encode(source));
  } else if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    yield* slices(asBytes(source));
  } else if (typeof Blob !== "undefined" && source instanceof Blob) {
    yield* chunksOf(source.stream());
  } else if (source && typeof source.getReader === "function") {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield asBytes(value);
      }
    } finally {
      reader.releaseLock();
    }
  } else if (source && (typeof source[Symbol.asyncIterator] === "function" || typeof source[Symbol.iterator] === "function")) {
    for await (const chunk of source) yield asBytes(chunk);
  } else {
    throw new ClvkitError(
      "INVALID_INPUT",
      "the source must be a File, Blob, ReadableStream, async iterable of chunks, Uint8Array, ArrayBuffer or string",
      "source",
    );
  }
}

/**
 * Feeds `source` to `ingestor` (a wasm Ingestor) and returns what `ingestor.finish()` returns.
 * The ingestor is freed in every case.
 */
export async function feed(ingestor, source, { onProgress, signal } = {}) {
  const totalBytes = byteLength(source);
  let bytes = 0;
  let lastYield = performance.now();
  try {
    for await (const chunk of chunksOf(source)) {
      if (signal?.aborted) throw new ClvkitError("CANCELLED", "the ingest was cancelled");
      try {
        ingestor.push(chunk);
      } catch (e) {
        throw toClvkitError(e);
      }
      bytes += chunk.byteLength;
      onProgress?.({ bytes, totalBytes, rows: ingestor.rows() });
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    if (signal?.aborted) throw new ClvkitError("CANCELLED", "the ingest was cancelled");
    try {
      return ingestor.finish();
    } catch (e) {
      throw toClvkitError(e);
    }
  } finally {
    ingestor.free();
  }
}
