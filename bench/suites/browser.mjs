// Suite "browser" (issue 6): the demo in headless Chromium, from the upload of a transactions file
// to the full dashboard, at 100k and 1M rows. Targets: 1M rows in at most 10 s, and no main-thread
// task over 200 ms.
//
// Each size runs bench/cases/browser-dashboard.mjs in its own process (a fresh Chromium per run,
// the static site dist/site served locally). "Full dashboard" is the page's own signal,
// <html data-dashboard="complete">: every panel the demo shows for the file drawn, models and
// cross-sell included, with the first page of each table's rows, and the calculators pre-filled.
// The answer is checked: the customer count the page shows must be the package's (clvkit in Node,
// same file), and the panels of a full analysis (models, P(alive), predicted CLV, cross-sell,
// offers, customers) must all be there.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { dataset } from "../generate.mjs";
import { BENCH_DIR, REPO, fmt, log, loadTracker, median, runNode, waitForBuild, wasmIdentity } from "../lib.mjs";

export const id = "browser";
export const title = "Demo in the browser: upload to full dashboard (issue 6)";

/** Seconds for the largest file (1M rows) and milliseconds for the longest main-thread task. */
const TARGET_MS = 10_000;
const TARGET_ROWS = 1_000_000;
const LONG_TASK_MS = 200;
/** Panels a full analysis of a generated file must show (it has products, channels and repeat buyers). */
const REQUIRED_PANELS = ["kpis", "predicted-clv", "cohorts", "rfm", "lifecycle", "p-alive", "models", "acquisition", "cross-sell", "offers", "customers", "quality"];
/** Worker phases in the order they run (www/worker.js, result.timings). */
const PHASES = [
  ["ingest", "ingest"],
  ["summaries", "KPIs, cohorts, RFM, lifecycle, customer table"],
  ["validateModels", "validateModels (3 fits + holdout)"],
  ["predict", "predict (best model, every customer)"],
  ["modelSummaries", "model summaries (JS)"],
  ["rules", "rules"],
  ["similarity", "similarity"],
  ["upsell", "upsell"],
  ["offers", "offers (scores every customer; rules, pairs, paths and P(alive) reused from above)"],
  ["crossSellTables", "cross-sell tables (JS)"],
  ["join", "customer join (JS)"],
];
/** A phase's time; with the demo's two-worker mode (?workers=2) the cross-sell ones are under crossSell. */
const phase = (r, key) => r.phases[key] || r.phases.crossSell?.[key] || 0;

/** The customer count clvkit computes in Node for `path` (what the KPI card must show). */
async function expectedCustomers(path) {
  const { ingestFile } = await import("../../js/node.js");
  const ds = await ingestFile(path);
  try {
    return ds.kpis().customers;
  } finally {
    ds.free();
  }
}

/** The main-thread CPU time (from the trace) of the run whose longest task was the longest. */
function cpuOfLongest(runs) {
  const run = runs.reduce((a, b) => (b.longTasks.maxMs > a.longTasks.maxMs ? b : a));
  return run.mainThread ? `${fmt.ms(run.mainThread.longestCpuMs)} ms` : "–";
}

/** Median CPU time of the workers' and the main thread's from upload to full dashboard, "–" without a trace. */
const flowCpu = (runs) => (runs.every((r) => r.mainThread) ? median(runs.map((r) => r.mainThread.workerCpuMs + r.mainThread.mainCpuMs)) : null);
function cpuText(runs) {
  if (!runs.every((r) => r.mainThread)) return "–";
  const m = (f) => fmt.s(median(runs.map(f)));
  return `${fmt.s(flowCpu(runs))} s (${m((r) => r.mainThread.workerCpuMs)} + ${m((r) => r.mainThread.mainCpuMs)})`;
}

const spanOf = (xs) => fmt.span({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

export async function run({ smoke, rows: rowsOpt, runs: runsOpt, seed = 42 }) {
  const load = loadTracker();
  waitForBuild();
  const site = spawnSync(process.execPath, [join(REPO, "scripts", "site.mjs")], { cwd: REPO, encoding: "utf8" });
  if (site.status !== 0) throw new Error(`scripts/site.mjs failed: ${site.stderr}`);
  const wasmBefore = wasmIdentity();
  const failures = [];
  const targets = [];
  const sizes = [];
  let chromium = "?";

  for (const rows of rowsOpt ?? (smoke ? [2_000] : [100_000, TARGET_ROWS])) {
    const data = dataset({ rows, seed, log });
    const runs = smoke ? 1 : runsOpt ?? (rows <= 100_000 ? 3 : 2);
    const customers = await expectedCustomers(data.path);
    log(`browser: ${fmt.int(rows)} rows, ${fmt.mb(data.bytes)} MB, ${fmt.int(customers)} customers: ${runs} run(s), each in a fresh Chromium`);
    const report = runNode(join(BENCH_DIR, "cases", "browser-dashboard.mjs"), ["--file", data.path, "--runs", String(runs)]);
    chromium = report.chromium;
    for (const [i, r] of report.runs.entries()) {
      const where = `browser: ${fmt.int(rows)} rows, run ${i + 1}`;
      if (r.customers !== customers) failures.push(`${where}: the page shows ${r.customers} customers, clvkit in Node ${customers}`);
      const missing = REQUIRED_PANELS.filter((p) => !r.panels.includes(p));
      if (missing.length) failures.push(`${where}: panels missing from the dashboard: ${missing.join(", ")} (shown: ${r.panels.join(", ")})`);
      if (r.customerRows === 0) failures.push(`${where}: the customer table has no rows`);
      if (r.errors.length) failures.push(`${where}: errors in the page: ${r.errors.slice(0, 3).join("; ")}`);
    }
    sizes.push({ rows: data.rows, bytes: data.bytes, sha256: data.sha256, customers, runs: report.runs });
  }
  if (failures.length) return { failures, targets, markdown: "" };

  const lines = [
    "| rows | file | upload → full dashboard | columns detected | worker | rendering | CPU time: worker + main thread | long tasks (max per run) | longest task | its CPU time | long tasks, total | Chromium peak PSS | renderer peak PSS | wasm memory |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const s of sizes) {
    const col = (f) => s.runs.map(f);
    lines.push(
      `| ${fmt.int(s.rows)} | ${fmt.mb(s.bytes)} MB | **${spanOf(col((r) => r.ms))}** | ${spanOf(col((r) => r.previewMs))} | ${spanOf(col((r) => r.workerMs))} | ` +
        `${spanOf(col((r) => r.renderMs))} | ${cpuText(s.runs)} | ${Math.max(...col((r) => r.longTasks.count))} | ${fmt.ms(Math.max(...col((r) => r.longTasks.maxMs)))} ms | ` +
        `${cpuOfLongest(s.runs)} | ` +
        `${fmt.ms(Math.max(...col((r) => r.longTasks.totalMs)))} ms | ${fmt.mib(Math.max(...col((r) => r.peakPssBytes)))} MiB | ` +
        `${fmt.mib(Math.max(...col((r) => r.peakRendererPssBytes)))} MiB | ${fmt.mib(Math.max(...col((r) => r.wasmMemoryBytes ?? 0)))} MiB |`,
    );
  }
  const phaseLines = [
    `| worker phase (median ms) | ${sizes.map((s) => `${fmt.int(s.rows)} rows`).join(" | ")} |`,
    `| --- | ${sizes.map(() => "---:").join(" | ")} |`,
    ...PHASES.map(([key, label]) => `| ${label} | ${sizes.map((s) => fmt.ms(median(s.runs.map((r) => phase(r, key))))).join(" | ")} |`),
  ];

  const verdicts = [];
  for (const s of sizes) {
    const ms = median(s.runs.map((r) => r.ms));
    if (s.rows >= TARGET_ROWS) {
      const ratio = TARGET_MS / ms;
      targets.push({ name: `browser: ${fmt.int(s.rows)} rows, upload → full dashboard ≤ ${TARGET_MS / 1000} s (ratio = 10 s ÷ median)`, ratio, target: 1, met: ratio >= 1 });
      const cpu = flowCpu(s.runs);
      verdicts.push(
        `- ${fmt.int(s.rows)} rows: **${fmt.s(ms)} s** from upload to full dashboard (median); target ≤ ${TARGET_MS / 1000} s: **${ratio >= 1 ? "met" : "MISSED"}**` +
          (cpu == null ? "." : ` (CPU time of the flow ${fmt.s(cpu)} s: about the time on an idle machine, where nothing else waits for the cores; ${cpu <= TARGET_MS ? "within" : "over"} the target).`),
      );
    }
    const longest = Math.max(...s.runs.map((r) => r.longTasks.maxMs));
    const ratio = LONG_TASK_MS / Math.max(longest, 1);
    targets.push({ name: `browser: ${fmt.int(s.rows)} rows, longest main-thread task ≤ ${LONG_TASK_MS} ms (ratio = 200 ms ÷ longest)`, ratio, target: 1, met: ratio >= 1 });
    const top = s.runs.flatMap((r) => r.longTasks.top).sort((a, b) => b.duration - a.duration)[0];
    verdicts.push(
      `- ${fmt.int(s.rows)} rows: longest main-thread task **${fmt.ms(longest)} ms**${top ? ` (${top.phase}, ${fmt.s(top.start)} s after the upload)` : ""}; ` +
        `target ≤ ${LONG_TASK_MS} ms: **${ratio >= 1 ? "met" : "MISSED"}** (its main-thread CPU time: ${cpuOfLongest(s.runs)}; the rest of a task's wall time is waiting for a core).`,
    );
  }
  const wasmAfter = wasmIdentity();
  const markdown = `The job: the demo (dist/site, served locally) in headless ${chromium}, a fresh browser per run.
The generated file is uploaded through the file input; the page reads its first 256 KB and shows
the columns it detected (*columns detected*); then Analyse runs the whole analysis in the page's
worker (*worker*: ingest, summaries, three models validated on a holdout and the best one's
predictions, cross-sell rules, also-bought pairs, upsell paths and next-best offers) and the page
draws every panel (*rendering*) until it signals the full dashboard (\`<html data-dashboard="complete">\`:
every panel drawn with its first page of rows, calculators pre-filled). *Upload → full dashboard*
is columns detected + Analyse → complete, from the page's performance marks (the benchmark's own
click on Analyse is not counted). Checked: the customer count shown equals clvkit's in Node, and
every panel of a full analysis is there. *Long tasks*: main-thread tasks over 50 ms
(PerformanceObserver "longtask", registered before the page's scripts) from the upload until
0.5 s after the dashboard is complete. *Chromium peak PSS*: the highest sum of the proportional set
sizes of all Chromium processes, sampled every 250 ms; *renderer*: the page's renderer process
alone (the worker runs in it); *wasm memory*: the worker's linear memory after the analysis.
*Its CPU time*: the longest task's thread CPU time from a trace of the same run (Chromium's
\`toplevel\` category): on a busy machine most of a long task's wall time can be waiting for a core.
*CPU time: worker + main thread*: the thread CPU time of the worker and of the page's main thread
from the upload to the full dashboard, from the same trace (what the flow itself costs; on an idle
machine with a core each, the wall time would be close to it).

${lines.join("\n")}

${phaseLines.join("\n")}

${verdicts.join("\n")}

- clvkit wasm: ${wasmBefore === wasmAfter ? wasmBefore : `CHANGED during the run (${wasmBefore} → ${wasmAfter}): rerun`}
- Load: ${load()}
- Data (bench/generate.mjs, seed ${seed}):
${sizes.map((s) => `  - ${fmt.int(s.rows)} rows: ${fmt.int(s.bytes)} bytes, ${fmt.int(s.customers)} customers, sha256 \`${s.sha256}\`, ${s.runs.length} run(s)`).join("\n")}`;
  return { markdown, failures, targets };
}
