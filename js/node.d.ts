// Types of the Node entry: everything in index.d.ts, plus reading files from disk.
import type { Baskets, Dataset, IngestOptions, IngestProgress, SummaryDataset, SummaryIngestOptions } from "./index.js";

export * from "./index.js";
export { default } from "./index.js";

/** `ingest` of a file on disk, streamed in 1 MiB chunks. */
export function ingestFile(
  path: string,
  options?: IngestOptions,
  control?: { onProgress?: (progress: IngestProgress) => void; signal?: AbortSignal },
): Promise<Dataset>;

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
