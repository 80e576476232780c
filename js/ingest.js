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

/** `bytes` in slices of at most CHUNK (a stream may give a whole file as one chunk: Node's
 *  `Blob.stream()` does), so each push copies at most that much into wasm memory. */
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
        yield* slices(asBytes(value));
      }
    } finally {
      reader.releaseLock();
    }
  } else if (source && (typeof source[Symbol.asyncIterator] === "function" || typeof source[Symbol.iterator] === "function")) {
    for await (const chunk of source) yield* slices(asBytes(chunk));
  } else {
    throw new ClvkitError(
      "INVALID_INPUT",
      "the source must be a File, Blob, ReadableStream, async iterable of chunks, Uint8Array, ArrayBuffer or string",
      "source",
    );
  }
}

/**
 * The key of a `control` hook (internal, set by the Node entry's `ingestFile`): given the final
 * options, it may start a worker that reads a later part of the file and returns
 * `{ from, size, start, part, claim, progress, stop }` (see `js/node.js`), or null.
 */
export const PART = Symbol("clvkit.part");

/**
 * The key of a `control` value (internal, for tests): the number of pieces the part worker takes
 * whatever the two threads' speeds, when it gets to them first.
 */
export const TAKE = Symbol("clvkit.take");

/**
 * The key of a `control` value (internal, set by the Node entry's file functions): the source's
 * length in bytes when the source itself cannot tell (a file read in chunks), for `totalBytes`
 * in progress and for the room the ingest makes ahead.
 */
export const SIZE = Symbol("clvkit.size");

function wasm(call) {
  try {
    return call();
  } catch (e) {
    throw toClvkitError(e);
  }
}

/**
 * Feeds `source` to `ingestor` (a wasm Ingestor) and returns what `ingestor.finish()` returns.
 * The ingestor is freed in every case.
 *
 * With `part` (a worker reading the file from a record boundary after byte `from` to its end,
 * and pieces before that which this thread does not reach first: see `js/node.js`), the bytes up
 * to where this thread's reading ends are fed, then the worker's pieces and part are joined;
 * when that would not give exactly what reading on gives (see src/ingest/transactions/parts.rs),
 * or the worker found no start or failed, the rest is fed here as usual.
 */
export async function feed(ingestor, source, { onProgress, signal, [SIZE]: size } = {}, part = null) {
  const totalBytes = byteLength(source) ?? size ?? part?.size ?? null;
  let bytes = 0;
  // Where this thread's reading may stop (the pieces' starts, then the part's): undefined until
  // asked, null for no part; the next one is `stops[next]`.
  let stops;
  let next = 0;
  let joined = false;
  let lastYield = performance.now();
  try {
    // Room for the whole file's rows (a joined part's too), made as soon as the first ones say
    // how dense they are (transactions only).
    if (totalBytes !== null) ingestor.expectBytes?.(totalBytes);
    reading: for await (let chunk of chunksOf(source)) {
      if (signal?.aborted) throw new ClvkitError("CANCELLED", "the ingest was cancelled");
      if (part !== null && stops === undefined && bytes + chunk.byteLength > part.from) {
        const plan = await part.start;
        stops = plan === null ? null : [...plan.pieces, plan.start];
      }
      // Up to each stop in this chunk: on into the next piece when this thread takes it, else
      // the worker's pieces from there and its part are joined.
      while (stops && bytes + chunk.byteLength >= stops[next]) {
        const head = chunk.subarray(0, stops[next] - bytes);
        wasm(() => ingestor.push(head));
        bytes += head.byteLength;
        chunk = chunk.subarray(head.byteLength);
        if (next < stops.length - 1 && part.claim(next)) {
          next += 1;
          continue;
        }
        const written = await part.part;
        stops = null;
        if (written !== null && written.first === next && wasm(() => ingestor.joinParts([...written.pieces, written.part]))) {
          joined = true;
          bytes = part.size;
          break reading;
        }
      }
      part?.progress(bytes + chunk.byteLength); // where this thread will be: the worker weighs pieces by it
      wasm(() => ingestor.push(chunk));
      bytes += chunk.byteLength;
      onProgress?.({ bytes, totalBytes, rows: ingestor.rows() });
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    if (joined) onProgress?.({ bytes, totalBytes, rows: ingestor.rows() });
    if (signal?.aborted) throw new ClvkitError("CANCELLED", "the ingest was cancelled");
    return wasm(() => ingestor.finish());
  } finally {
    part?.stop();
    ingestor.free();
  }
}
