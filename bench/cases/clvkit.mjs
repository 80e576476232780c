// clvkit: the wasm package under Node. `ingestFile` streams the file from disk in 1 MiB chunks
// into the wasm ingest (a file of 16 MiB or more in two parts at once, the second read by a worker
// thread), then `customers()` computes the per-customer BTYD summary (days, asOf = the last order
// date; only the four BTYD columns and the ids, as the peers compute) and hands it over as typed
// arrays. With CLVKIT_BENCH_PARALLEL=0 (the case
// clvkit-one-thread) it reads every file in one thread (`parallel: false`).
import { runCase } from "./common.mjs";

const parallel = process.env.CLVKIT_BENCH_PARALLEL !== "0";

await runCase(parallel ? "clvkit" : "clvkit-one-thread", {
  // Setup is the import (the Node entry compiles and instantiates the wasm synchronously) and,
  // reading in two parts, `prepare()`: the part worker started ahead, as an app would at start.
  async setup() {
    const { ingestFile, prepare } = await import("../../js/node.js");
    if (parallel) await prepare();
    const { initSync } = await import("../../dist/wasm/clvkit.js");
    return { ingestFile, wasm: initSync() }; // already initialised: returns the exports (for `memory`)
  },
  async job({ ingestFile }, path) {
    const dataset = await ingestFile(path, {}, { parallel });
    try {
      const report = dataset.report;
      if (report.rejectedRows !== 0) {
        throw new Error(`clvkit rejected ${report.rejectedRows} rows: ${JSON.stringify(report.errorExamples.slice(0, 3))}`);
      }
      const t = dataset.customers({ unit: "days", columns: ["frequency", "recency", "T", "monetaryValue"] });
      return { customerId: t.customerId, frequency: t.frequency, recency: t.recency, T: t.T, monetaryValue: t.monetaryValue };
    } finally {
      dataset.free();
    }
  },
  // Linear memory never shrinks, so its size after the run is the wasm high-water mark.
  extra: ({ wasm }) => ({ wasmMemoryBytes: wasm.memory.buffer.byteLength }),
});
