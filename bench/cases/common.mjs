// What every case shares. A case is a script run in its own Node process by bench/run.mjs:
//
//   node bench/cases/<case>.mjs --file data.csv [--warmup small.csv] [--out summary.tsv]
//
// It sets up its engine (timed separately), runs the whole job once on the --warmup file
// (discarded: JIT, lazy initialisation), waits half a second (background compilation), then
// once on --file, timed: read the CSV from disk and
// produce the per-customer BTYD summary in days as of the last order date, as columns
// { customerId, frequency, recency, T, monetaryValue }. It prints one JSON line on stdout:
// { case, setupMs, ms, customers, maxRssBytes, ...extra }. With --out it also writes the
// summary as TSV (after the timing) for the runner's correctness check.
import { writeFileSync } from "node:fs";

export function args(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    out[a.slice(2)] = argv[i + 1];
    i++;
  }
  if (!out.file) throw new Error("--file is required");
  return out;
}

/** Summary columns → TSV text: id, frequency, recency, T, monetary (shortest round-trip form). */
export function toTsv(s) {
  const n = s.customerId.length;
  const lines = new Array(n);
  for (let i = 0; i < n; i++) {
    lines[i] = `${s.customerId[i]}\t${s.frequency[i]}\t${s.recency[i]}\t${s.T[i]}\t${s.monetaryValue[i]}`;
  }
  return lines.join("\n") + "\n";
}

/** Idle time between the warm-up and the timed run. */
const SETTLE_MS = 500;

/**
 * Runs a case: `setup()` once → engine; `job(engine, path)` → summary columns (awaited);
 * `extra(engine)` → more fields for the report (e.g. wasm memory).
 */
export async function runCase(name, { setup, job, extra = () => ({}) }) {
  const opts = args();
  const t0 = performance.now();
  const engine = await setup();
  const setupMs = performance.now() - t0;
  if (opts.warmup) {
    await job(engine, opts.warmup);
    // V8 compiles the code the warm-up made hot (JS and wasm alike) on background threads; on
    // two cores the timed run would otherwise race those compilations for the first few hundred ms.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  }
  const t1 = performance.now();
  const summary = await job(engine, opts.file);
  const ms = performance.now() - t1;
  const result = {
    case: name,
    setupMs,
    ms,
    customers: summary.customerId.length,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    ...extra(engine),
  };
  if (opts.out) writeFileSync(opts.out, toTsv(summary));
  process.stdout.write(JSON.stringify(result) + "\n");
}
