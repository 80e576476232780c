// Suite "models" (issue 4): BG/NBD, Pareto/NBD and Gamma-Gamma fits on a BTYD summary, clvkit's
// wasm under Node against lifetimes 0.11.3 (Python), on the same file, checked equal first.
//
// Datasets: the real CDNOW summary (tests/fixtures/cdnow_summary.csv, 2,357 customers, weeks) and
// a simulated one (bench/generate-summary.mjs: 1M customers, days, seeded). Each (tool, model,
// dataset) run is its own process. Round 0 runs every case once and checks lifetimes' parameters
// against clvkit's (relative tolerance per model, below) and clvkit's log-likelihood against
// lifetimes' (clvkit's must be at least lifetimes' minus a rounding allowance); a disagreement is a
// failure and nothing is timed. Round 0 is also the first timed sample. Later rounds alternate the
// two tools, the starting one rotating.
import { join } from "node:path";
import { summaryFile } from "../generate-summary.mjs";
import { BENCH_DIR, REPO, fmt, log, loadTracker, median, nodeBaselineRss, python, pythonVersion, ratioText, runNode, spawnJson, waitForBuild, wasmIdentity } from "../lib.mjs";

export const id = "models";
export const title = "Predictive model fits: BG/NBD, Pareto/NBD, Gamma-Gamma (issue 4)";

/** Speed target at the large size: lifetimes' median over clvkit's. */
const TARGET = 50;

/**
 * The models, with their parameter tolerance (relative, against lifetimes):
 * - BG/NBD and Gamma-Gamma: lifetimes minimises the mean negative log-likelihood with BFGS to
 *   gtol 1e-7, clvkit to 1e-9; the mean's curvature in log-parameters is of order 1 or more, so
 *   both are within ~1e-6 of the optimum: 1e-4 leaves room, and catches any real disagreement.
 * - Pareto/NBD: lifetimes stops Nelder-Mead at xatol = fatol = 1e-6 on the mean in (scaled)
 *   log-parameters; where the likelihood is flat along a ridge (r with α, s with β) that leaves
 *   the parameters a few 1e-3 apart at an equal likelihood (README: 2e-3 on CDNOW), so 1e-2.
 * Log-likelihood: clvkit's ≥ lifetimes' − max(1e-6, 1e-10·|LL|) (sums of a million terms).
 */
const MODELS = [
  { id: "bgNbd", label: "BG/NBD", tolerance: 1e-4, target: true },
  { id: "paretoNbd", label: "Pareto/NBD", tolerance: 1e-2, target: true },
  { id: "bgNbd+gammaGamma", label: "BG/NBD + Gamma-Gamma", tolerance: 1e-4, target: false },
];
const NAMES = { gamma: "v" }; // clvkit's Gamma-Gamma γ is lifetimes' v

function datasets({ smoke, rows, seed }) {
  const cdnow = { id: "cdnow", label: "CDNOW (real)", path: join(REPO, "tests/fixtures/cdnow_summary.csv"), unit: "weeks", customers: 2357, runs: 5 };
  const simulated = (n, runs) => {
    const f = summaryFile({ customers: n, seed, log });
    return { id: `sim${n}`, label: `simulated`, path: f.path, unit: "days", customers: n, runs, bytes: f.bytes, sha256: f.sha256, large: n >= 1_000_000 };
  };
  // Smoke: a small simulated summary only (the test suite checks CDNOW against lifetimes' fixture).
  if (smoke) return [simulated(1_000, 1)];
  return [cdnow, ...(rows ?? [1_000_000]).map((n) => simulated(n, n >= 1_000_000 ? 3 : 5))];
}

function runCase(tool, model, data, seed) {
  if (tool === "clvkit") {
    waitForBuild();
    const warm = join(REPO, "tests/fixtures/cdnow_summary.csv");
    return runNode(join(BENCH_DIR, "cases/models-clvkit.mjs"), ["--file", data.path, "--model", model.id, "--unit", data.unit, "--warmup", warm, "--warmup-unit", "weeks"]);
  }
  return spawnJson(python(), [join(BENCH_DIR, "cases/models_lifetimes.py"), "--file", data.path, "--model", model.id, "--seed", String(seed)], { timeoutMs: 3 * 3_600_000 });
}

/** Disagreements between clvkit's and lifetimes' fits (empty when they match). */
export function compareFits(ours, theirs, tolerance) {
  const problems = [];
  for (const [name, fit] of Object.entries(ours.fits)) {
    const peer = theirs.fits[name];
    if (!peer) {
      problems.push(`${name}: lifetimes has no fit`);
      continue;
    }
    if (!fit.converged) problems.push(`${name}: clvkit did not converge (${fit.warnings.join(", ")})`);
    for (const [p, v] of Object.entries(fit.params)) {
      const w = peer.params[NAMES[p] ?? p];
      if (!(Math.abs(v - w) <= tolerance * Math.abs(w))) problems.push(`${name}.${p}: clvkit ${v}, lifetimes ${w} (relative difference ${(Math.abs(v - w) / Math.abs(w)).toExponential(2)} > ${tolerance})`);
    }
    const slack = Math.max(1e-6, 1e-10 * Math.abs(peer.logLikelihood));
    if (!(fit.logLikelihood >= peer.logLikelihood - slack)) problems.push(`${name}: clvkit's log-likelihood ${fit.logLikelihood} < lifetimes' ${peer.logLikelihood}`);
  }
  return problems;
}

const paramText = (fit) => Object.entries(fit.params).map(([k, v]) => `${k} ${v.toPrecision(6)}`).join(", ");

export async function run({ smoke, rows, runs: runsOpt, seed = 42, cases }) {
  const load = loadTracker();
  const wasmBefore = wasmIdentity();
  const failures = [];
  const targets = [];
  const results = [];
  const checks = [];
  python(); // create the venv before anything is timed

  for (const data of datasets({ smoke, rows, seed })) {
    for (const model of MODELS.filter((m) => !cases || cases.includes(m.id))) {
      // At 1M customers the combined BG/NBD + Gamma-Gamma row (no target) runs once per tool.
      const runs = smoke ? 1 : runsOpt ?? (data.large && !model.target ? 1 : data.runs);
      const samples = { clvkit: [], lifetimes: [] };
      // Round 0: the check (and the first timed sample).
      const ours = runCase("clvkit", model, data, seed);
      const theirs = runCase("lifetimes", model, data, seed);
      const problems = compareFits(ours, theirs, model.tolerance);
      log(`models ${data.id} ${model.id}: clvkit ${fmt.s(ours.ms)} s, lifetimes ${fmt.s(theirs.ms)} s${problems.length ? ` — DISAGREE` : " — fits agree"}`);
      if (problems.length) {
        failures.push(`models: ${model.label} on ${data.label} (${fmt.int(data.customers)}): clvkit and lifetimes disagree:\n  ${problems.join("\n  ")}`);
        continue;
      }
      checks.push({ data, model, ours, theirs });
      samples.clvkit.push(ours);
      samples.lifetimes.push(theirs);
      // The Pareto/NBD peer at the large size takes minutes: one run (the check round) is enough
      // for a ratio of this size; say so in the table.
      const peerRuns = data.large && model.id === "paretoNbd" && runsOpt == null ? 1 : runs;
      for (let round = 1; round < runs; round++) {
        const order = round % 2 ? ["lifetimes", "clvkit"] : ["clvkit", "lifetimes"];
        for (const tool of order) {
          if (tool === "lifetimes" && round >= peerRuns) continue;
          const r = runCase(tool, model, data, seed);
          samples[tool].push(r);
          log(`  round ${round + 1}/${runs} ${tool}: ${fmt.s(r.ms)} s`);
        }
      }
      const summarise = (ss) => {
        const ms = ss.map((s) => s.ms);
        return { n: ms.length, median: median(ms), min: Math.min(...ms), max: Math.max(...ms), cpu: median(ss.map((s) => s.cpuMs)), read: median(ss.map((s) => s.readMs)), rss: Math.max(...ss.map((s) => s.maxRssBytes)), wasm: ss[0].wasmMemoryBytes };
      };
      const c = summarise(samples.clvkit);
      const l = summarise(samples.lifetimes);
      const q = ratioText(l.median, c.median, "lifetimes", data.large && model.target ? TARGET : null);
      if (data.large && model.target) targets.push({ name: `${model.label} fit, ${fmt.int(data.customers)} customers vs lifetimes`, ratio: q.x, target: TARGET, met: q.met });
      results.push({ data, model, c, l, q });
    }
  }
  if (failures.length) return { failures, targets, markdown: "" };

  const lines = [
    "| data | customers | model | clvkit fit, median (min–max) | lifetimes fit, median (min–max) | ratio | CPU time, medians: clvkit / lifetimes (ratio) | clvkit peak RSS (wasm memory) | lifetimes peak RSS | reading the file: clvkit / lifetimes |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const { data, model, c, l, q } of results) {
    lines.push(
      `| ${data.label} | ${fmt.int(data.customers)} | ${model.label} | ${fmt.span(c)}${c.n > 1 ? "" : ", 1 run"} | ${fmt.span(l)}${l.n > 1 ? "" : ", 1 run"} | ${q.text.replace(" lifetimes", "")} | ` +
        `${fmt.span({ median: c.cpu, min: c.cpu, max: c.cpu }).replace(/ \(.*\)/, "")} / ${fmt.span({ median: l.cpu, min: l.cpu, max: l.cpu }).replace(/ \(.*\)/, "")} (${fmt.ratio(l.cpu / c.cpu)}×) | ` +
        `${fmt.mib(c.rss)} MiB (${fmt.mib(c.wasm)} MiB) | ${fmt.mib(l.rss)} MiB | ${fmt.span({ median: c.read, min: c.read, max: c.read })} / ${fmt.span({ median: l.read, min: l.read, max: l.read })} |`,
    );
  }
  const fitLines = checks.map(({ data, model, ours, theirs }) =>
    Object.keys(ours.fits)
      .map((name) => `  - ${data.label}, ${name}: clvkit ${paramText(ours.fits[name])} (LL ${ours.fits[name].logLikelihood.toFixed(4)}, ${ours.fits[name].iterations} iterations); lifetimes ${paramText(theirs.fits[name])} (LL ${theirs.fits[name].logLikelihood.toFixed(4)})`)
      .join("\n"),
  );
  const big = results.filter((r) => r.data.large && r.model.target);
  const verdict = big.length
    ? big.map((r) => `${r.model.label} ${r.q.text.replace(" lifetimes", "")}`).join(", ")
    : "(no 1M run in this session)";
  const versions = checks[0]?.theirs.versions ?? {};
  const wasmAfter = wasmIdentity();
  const markdown = `The job: fit the BTYD models to a per-customer summary (frequency, recency, T, mean repeat spend),
clvkit's wasm under Node (\`ingestSummary\`, then one \`fit\`) against lifetimes ${pythonVersion("lifetimes")} (pandas
\`read_csv\`, then \`BetaGeoFitter\` / \`ParetoNBDFitter\` / \`GammaGammaFitter\`, penalizer 0, one row per
customer as lifetimes is normally called). The time runs from the summary in memory to the fitted
parameters (clvkit's includes standard errors); reading the file is timed apart (last column).
clvkit's \`fit\` fits Gamma-Gamma together with the transaction model, so the BG/NBD and Pareto/NBD
rows give it the summary without the monetary column (transaction model alone), and the last row
of each dataset times BG/NBD + Gamma-Gamma in both tools. Before any timing, each fit was checked:
parameters within 1e-4 relative of lifetimes' (Pareto/NBD 1e-2: lifetimes stops Nelder-Mead at
1e-6 on a flat ridge) and clvkit's log-likelihood at least lifetimes' (both as lifetimes' own
likelihood code computes it at lifetimes' parameters). Every run is its own process (peak RSS is
its own; a bare \`node\`: ${fmt.mib(nodeBaselineRss())} MiB); clvkit first fits CDNOW once to warm up (discarded).
lifetimes' Pareto/NBD at 1M customers takes many minutes, so it ran once (the check run; clvkit
3 times) and BG/NBD + Gamma-Gamma at 1M once per tool, unless \`--runs\` says otherwise, to keep
the suite near 20 minutes; the other cases ran ${smoke ? "once (smoke)" : "5 times (CDNOW) or 3 times (1M), the tools alternating"}.
\`--cases bgNbd,paretoNbd,bgNbd+gammaGamma\` picks models.

${lines.join("\n")}

- At 1M customers clvkit is ${verdict} (target ≥ ${TARGET}× per model; ratio of medians of wall time, > 1 means clvkit is faster). The CPU-time column is each process's own CPU time during the fit (Node \`process.cpuUsage\`, Python \`time.process_time\`): on a loaded machine it says what the wall times cannot.
- Fitted parameters (checked before timing):
${fitLines.join("\n")}
- Versions: lifetimes ${versions.lifetimes ?? "?"}, numpy ${versions.numpy ?? "?"}, scipy ${versions.scipy ?? "?"}, pandas ${versions.pandas ?? "?"}; autograd ${pythonVersion("autograd")}
- clvkit wasm: ${wasmBefore === wasmAfter ? wasmBefore : `CHANGED during the run (${wasmBefore} → ${wasmAfter}): rerun`}
- Load: ${load()}
- Data: CDNOW, the sample of Fader & Hardie's papers as shipped with lifetimes (weeks, 2,357 customers);
  simulated by bench/generate-summary.mjs (seed ${seed}; Pareto/NBD purchases and drop-out with CDNOW's
  parameters in days, purchases on whole days, Gamma-Gamma spend in cents, a 546-day window):
${results.filter((r) => r.data.sha256).filter((r, i, a) => a.findIndex((s) => s.data.id === r.data.id) === i).map((r) => `  ${fmt.int(r.data.customers)} customers, ${fmt.int(r.data.bytes)} bytes, sha256 \`${r.data.sha256}\``).join("\n")}`;
  return { markdown, failures, targets };
}
