// Suite "ingest" (issue 3): read a transactions CSV from disk and compute the per-customer BTYD
// summary; clvkit's wasm under Node against DuckDB-WASM and PapaParse + JS, checked equal first.
//
// Each case (bench/cases/<name>.mjs) runs in its own process, so its peak RSS is its own; it
// warms up on a small file, then times one run on the real one. Round 0 runs every case untimed
// and writes its summary; every peer's summary must equal clvkit's (same customers; frequency,
// recency, T exactly; monetary value within 1e-6 relative). Then the timed rounds run every case
// once per round, the starting case rotating, so the peers alternate within the same session.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dataset } from "../generate.mjs";
import { BENCH_DIR, caseStats, fmt, log, loadTracker, nodeBaselineRss, npmVersion, ratioText, runNode, scratch, waitForBuild, wasmIdentity } from "../lib.mjs";

export const id = "ingest";
export const title = "Ingest and per-customer summary (issue 3)";

/** The cases, clvkit first (the reference of the correctness check and of the ratios). */
export const CASES = [
  { id: "clvkit", label: "clvkit (wasm)", script: "cases/clvkit.mjs" },
  // The same with the two-part read turned off (files of 16 MiB or more use two threads).
  { id: "clvkit-one-thread", label: "clvkit (wasm, one thread)", short: "clvkit in one thread", script: "cases/clvkit-one-thread.mjs" },
  { id: "duckdb", label: "DuckDB-WASM (read_csv + GROUP BY)", short: "DuckDB-WASM", script: "cases/duckdb.mjs", target: 2 },
  { id: "papaparse", label: "PapaParse + JS Maps", short: "PapaParse", script: "cases/papaparse.mjs", target: 5 },
  // Native code, for scale (compared with each other, no target): clvkit's Rust without wasm, and
  // DuckDB's own build (Python package, all cores) on the same SQL as the DuckDB-WASM case.
  { id: "clvkit-native", label: "clvkit (native Rust, example bench-ingest)", short: "clvkit native", script: "cases/clvkit-native.mjs", native: true },
  { id: "duckdb-native", label: "DuckDB native (Python package, read_csv + GROUP BY)", short: "DuckDB native", script: "cases/duckdb-native.mjs", native: true },
];
const REFERENCE = "clvkit";
/** The issue's benchmark file: the targets are set for it; smaller files are reported for scale
 *  (read in one thread, and mostly start-up). */
const TARGET_ROWS = 1_000_000;

/** A summary TSV as Map id → [frequency, recency, T, monetary]. */
function readSummary(path) {
  const m = new Map();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line) continue;
    const [cid, ...v] = line.split("\t");
    if (m.has(cid)) throw new Error(`${path}: customer ${cid} appears twice`);
    m.set(cid, v.map(Number));
  }
  return m;
}

/** Differences between a peer's summary and the reference's (at most `max` described). */
export function compareSummaries(ref, peer, max = 5) {
  const problems = [];
  let count = 0;
  const add = (text) => {
    count++;
    if (problems.length < max) problems.push(text);
  };
  for (const [cid, a] of ref) {
    const b = peer.get(cid);
    if (!b) {
      add(`customer ${cid} missing`);
      continue;
    }
    const names = ["frequency", "recency", "T"];
    for (let k = 0; k < 3; k++) if (a[k] !== b[k]) add(`customer ${cid}: ${names[k]} ${b[k]}, expected ${a[k]}`);
    const scale = Math.max(Math.abs(a[3]), Math.abs(b[3]));
    if (!(Math.abs(a[3] - b[3]) <= 1e-6 * scale + 1e-12)) add(`customer ${cid}: monetary_value ${b[3]}, expected ${a[3]}`);
  }
  for (const cid of peer.keys()) if (!ref.has(cid)) add(`unexpected customer ${cid}`);
  return { count, problems };
}

function runChild(c, file, { warmup, out }) {
  if (c.id === REFERENCE) waitForBuild();
  const argv = ["--file", file];
  if (warmup) argv.push("--warmup", warmup);
  if (out) argv.push("--out", out);
  return runNode(join(BENCH_DIR, c.script), argv);
}

function table(sizes) {
  const lines = [
    "| rows | file | case | time, median (min–max) | MB/s | rows/s | peak RSS | wasm memory | setup |",
    "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const s of sizes) {
    for (const r of s.results) {
      lines.push(
        `| ${fmt.int(s.rows)} | ${fmt.mb(s.bytes)} MB | ${r.label} | ${fmt.s(r.median)} s (${fmt.s(r.min)}–${fmt.s(r.max)}) | ` +
          `${(s.bytes / 1e6 / (r.median / 1000)).toFixed(1)} | ${fmt.rate(s.rows / (r.median / 1000))} | ${fmt.mib(r.maxRss)} MiB | ` +
          `${r.wasm == null ? "–" : `${fmt.mib(r.wasm)} MiB`} | ${fmt.s(r.setup)} s |`,
      );
    }
  }
  return lines.join("\n");
}

export async function run({ smoke, rows: rowsOpt, runs: runsOpt, seed = 42, cases: only }) {
  const cases = CASES.filter((c) => !only || only.includes(c.id) || c.id === REFERENCE);
  if (smoke) process.env.BENCH_NATIVE_PROFILE ??= "dev"; // the native case checks its answers unoptimised: no release build
  const outDir = scratch("out");
  const load = loadTracker();
  const wasmBefore = wasmIdentity();
  const sizes = [];
  const failures = [];
  const targets = [];
  const reports = [];

  for (const rows of rowsOpt ?? (smoke ? [2_000] : [100_000, 1_000_000])) {
    const data = dataset({ rows, seed, log });
    const warm = dataset({ rows: Math.min(10_000, Math.max(100, rows >> 1)), seed: seed + 1, log });
    const runs = smoke ? 0 : runsOpt ?? (rows <= 100_000 ? 5 : 3);
    log(`ingest: ${fmt.int(rows)} rows, ${fmt.mb(data.bytes)} MB (sha256 ${data.sha256.slice(0, 12)}…): check round, then ${runs} timed round(s)`);

    // Round 0: untimed (page cache, and each case's summary for the check).
    const samples = new Map(cases.map((c) => [c.id, []]));
    for (const c of cases) {
      const r = runChild(c, data.path, { warmup: warm.path, out: join(outDir, `${c.id}-${rows}.tsv`) });
      reports.push(r);
      if (runs === 0) samples.get(c.id).push(r); // smoke: round 0 is also the measurement
      log(`  check ${c.id}: ${fmt.s(r.ms)} s, ${r.customers} customers`);
    }
    const ref = readSummary(join(outDir, `${REFERENCE}-${rows}.tsv`));
    for (const c of cases.filter((k) => k.id !== REFERENCE)) {
      const { count, problems } = compareSummaries(ref, readSummary(join(outDir, `${c.id}-${rows}.tsv`)));
      if (count) failures.push(`ingest: ${c.id} disagrees with ${REFERENCE} on ${count} value(s) at ${rows} rows:\n  ${problems.join("\n  ")}`);
    }
    if (failures.length) break;
    log(`  summaries agree (${ref.size} customers)`);

    for (let round = 0; round < runs; round++) {
      for (const c of cases.map((_, i) => cases[(i + round) % cases.length])) {
        const r = runChild(c, data.path, { warmup: warm.path });
        reports.push(r);
        samples.get(c.id).push(r);
        log(`  round ${round + 1}/${runs} ${c.id}: ${fmt.s(r.ms)} s, peak RSS ${fmt.mib(r.maxRssBytes)} MiB`);
      }
    }
    sizes.push({
      rows: data.rows,
      bytes: data.bytes,
      sha256: data.sha256,
      customers: ref.size,
      runs: Math.max(1, runs),
      results: cases.map((c) => ({ ...c, ...caseStats(samples.get(c.id)) })),
    });
  }
  if (failures.length) return { failures, targets, markdown: "" };

  const ratioLines = sizes.map((s) => {
    const ref = s.results.find((r) => r.id === REFERENCE);
    const parts = s.results
      .filter((r) => r.id !== REFERENCE && !r.native)
      .map((r) => {
        const target = s.rows >= TARGET_ROWS ? r.target : undefined;
        const q = ratioText(r.median, ref.median, r.short, target);
        if (target) targets.push({ name: `ingest ${fmt.int(s.rows)} rows vs ${r.short}`, ratio: q.x, target: r.target, met: q.met });
        return q.text;
      });
    const scale = s.rows < TARGET_ROWS ? `; the targets are set for the ${fmt.int(TARGET_ROWS)}-row file` : "";
    const lines = parts.length ? [`- ${fmt.int(s.rows)} rows: clvkit is ${parts.join(", ")} (time ratio of medians; > 1 means clvkit is faster${scale}).`] : [];
    const native = s.results.find((r) => r.id === "clvkit-native");
    const duckNative = s.results.find((r) => r.id === "duckdb-native");
    if (native && duckNative) {
      lines.push(`- ${fmt.int(s.rows)} rows, native code: clvkit native is ${ratioText(duckNative.median, native.median, "DuckDB native").text} (no target).`);
    }
    if (native) lines.push(`- ${fmt.int(s.rows)} rows: clvkit native is ${ratioText(ref.median, native.median, "clvkit wasm").text} (the cost of wasm under Node).`);
    return lines.join("\n");
  });
  const wasmAfter = wasmIdentity();
  const duck = reports.find((r) => r.case === "duckdb-wasm");
  const duckNative = reports.find((r) => r.case === "duckdb-native");
  const markdown = `The job: read a transactions CSV from disk and compute the per-customer BTYD summary (frequency,
recency, T in days as of the last order date, monetary value), with clvkit's purchase and returns
policy. Every peer's summary was checked equal to clvkit's before timing. Each run is a fresh Node
process that first runs the job on a 10,000-row file (discarded), waits half a second (V8 compiles the
code the warm-up made hot on background threads, for every case alike), then times one run; *peak RSS* is
that process's \`maxRSS\` (a bare \`node\` process: ${fmt.mib(nodeBaselineRss())} MiB), *wasm memory* the size of
the engine's linear memory after the run, *setup* the engine's start (compiling and instantiating
its wasm; not in the time). Time runs from opening the file to having the summary columns in JS.
MB/s and rows/s are computed from the median.${sizes[0]?.results.some((r) => r.native) ? `
The native cases do the same job in a process of their own, whose peak RSS is reported: clvkit's
Rust compiled for this machine (\`bench/native/ingest.rs\`, the same 1 MiB chunks; built before
the runs) and DuckDB's Python package (all cores; setup is importing duckdb and connecting). They
are compared with each other, apart from the wasm cases and their targets.` : ""}

${table(sizes)}

${ratioLines.join("\n")}

- Versions: @duckdb/duckdb-wasm ${npmVersion("@duckdb/duckdb-wasm")}${duck ? ` (DuckDB ${duck.version}, ${duck.threads} thread)` : ""}; papaparse ${npmVersion("papaparse")}${duckNative ? `; duckdb (Python) ${duckNative.version}, ${duckNative.threads} threads` : ""}
- clvkit wasm: ${wasmBefore === wasmAfter ? wasmBefore : `CHANGED during the run (${wasmBefore} → ${wasmAfter}): rerun`}
- Load: ${load()}
- Data (bench/generate.mjs, seed ${seed}):
${sizes.map((s) => `  - ${fmt.int(s.rows)} rows: ${fmt.int(s.bytes)} bytes, ${fmt.int(s.customers)} customers, sha256 \`${s.sha256}\`, ${s.runs} timed runs per case`).join("\n")}`;
  return { markdown, failures, targets };
}
