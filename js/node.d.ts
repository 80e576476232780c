// Types of the Node entry: everything in index.d.ts, plus reading files from disk.
import type { Baskets, Dataset, IngestOptions, IngestProgress, SummaryDataset, SummaryIngestOptions } from "./index.js";

export * from "./index.js";
export { default } from "./index.js";

/**
 * `ingest` of a file on disk, streamed in 1 MiB chunks. A file of 16 MiB or more is read in two
 * parts at once, the second by a worker thread, which also reads pieces before it when the calling
 * thread is behind (`report.parts` is then 2 or more); `parallel: false` reads it in one. The
 * dataset and report are the same either way. Progress counts the calling thread's bytes as they
 * are read, then the whole file once the parts are joined.
 */
export function ingestFile(
  path: string,
  options?: IngestOptions,
  control?: { onProgress?: (progress: IngestProgress) => void; signal?: AbortSignal; parallel?: boolean },
): Promise<Dataset>;

/**
 * Starts the worker thread that `ingestFile` reads a large file's second part with, so that the
 * next large file does not wait for it to boot (50-150 ms); after each use another is started and
 * kept ready. Resolves once it is ready (or could not start: `ingestFile` then starts one itself).
 * The waiting worker does not keep the process alive.
 */
export function prepare(): Promise<void>;

/** `ingestSummary` of a file on disk. */
export function ingestSummaryFile(
  path: string,
  options?: SummaryIngestOptions,
  control?: { onProgress?: (progress: IngestProgress) => void; signal?: AbortSignal },
): Promise<SummaryDataset>;

/** `ingestBaskets` of a file on disk. */
export function ingestBasketsFile(
  path: string,
  options?: SummaryIngestOptions,
  control?: { onProgress?: (progress: IngestProgress) => void; signal?: AbortSignal },
): Promise<Baskets>;
