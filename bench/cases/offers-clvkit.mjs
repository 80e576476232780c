// clvkit's next-best offers under Node (bench/suites/offers.mjs runs it in its own process):
//
//   node bench/cases/offers-clvkit.mjs --file transactions.csv [--warmup small.csv] [--top-n 3] [--out offers.tsv]
//
// Setup (the wasm start) and the ingest of the transactions file are timed separately; then
// `dataset.offers({ topN })` with every candidate source (association rules, item similarity and
// upsell paths, each at its defaults) is timed: from the ingested dataset to the offer table and
// the per-segment summaries in JS. `onProgress` timestamps split that time into its stages. The
// whole job runs once on --warmup first (discarded). One JSON line on stdout; with --out the offers
// as TSV (customer, rank, item, probability, value, pAlive, expectedValue, source) and the segments
// as JSON next to it (<out>.segments.json), written after the timing.
import { writeFileSync } from "node:fs";

const argv = process.argv.slice(2);
const o = {};
for (let i = 0; i < argv.length; i += 2) o[argv[i].replace(/^--/, "")] = argv[i + 1];
if (!o.file) throw new Error("--file is required");
const topN = Number(o["top-n"] ?? 3);
const SOURCES = ["rules", "similar", "upsell"];

const t0 = performance.now();
const { ingestFile } = await import("../../js/node.js");
const { initSync } = await import("../../dist/wasm/clvkit.js");
const wasm = initSync();
const setupMs = performance.now() - t0;

async function job(path) {
  const t1 = performance.now();
  const ds = await ingestFile(path);
  try {
    const t2 = performance.now();
    const stages = {}; // stage → ms at its last report
    let customers = 0;
    const result = ds.offers({
      topN,
      sources: SOURCES,
      onProgress({ stage, done, total }) {
        stages[stage] = performance.now();
        if (stage === "scoring") customers = total;
      },
    });
    const t3 = performance.now();
    let previous = t2;
    const parts = {};
    for (const [stage, at] of Object.entries(stages)) {
      parts[stage] = at - previous;
      previous = at;
    }
    parts.output = t3 - previous;
    return { ds, result, customers, ingestMs: t2 - t1, ms: t3 - t2, parts, rows: ds.report.acceptedRows };
  } catch (e) {
    ds.free();
    throw e;
  }
}

if (o.warmup) (await job(o.warmup)).ds.free();
const r = await job(o.file);
const offers = r.result.offers;
const report = {
  case: "clvkit",
  setupMs,
  ingestMs: r.ingestMs,
  ms: r.ms,
  parts: r.parts,
  rows: r.rows,
  customers: r.customers,
  customersWithOffers: new Set(offers.customerId).size,
  offers: offers.customerId.length,
  belowFloor: r.result.belowFloor,
  warnings: r.result.warnings.map((w) => w.code),
  topN,
  sources: SOURCES,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  wasmMemoryBytes: wasm.memory.buffer.byteLength,
};
r.ds.free();
if (o.out) {
  const lines = offers.customerId.map(
    (c, i) => `${c}\t${offers.rank[i]}\t${offers.itemId[i]}\t${offers.probability[i]}\t${offers.value[i]}\t${offers.pAlive[i]}\t${offers.expectedValue[i]}\t${offers.source[i]}`,
  );
  writeFileSync(o.out, lines.join("\n") + "\n");
  writeFileSync(`${o.out}.segments.json`, JSON.stringify(r.result.segments));
}
process.stdout.write(JSON.stringify(report) + "\n");
