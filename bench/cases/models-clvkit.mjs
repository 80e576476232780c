// clvkit for the `models` suite: the wasm package under Node, one fit on a BTYD summary file,
// timed, in its own process (so its peak RSS is its own).
//
//   node bench/cases/models-clvkit.mjs --file summary.csv --model bgNbd|paretoNbd|bgNbd+gammaGamma \
//        --unit days [--warmup small.csv --warmup-unit weeks]
//
// The summary is read with the package's `ingestSummary` (timed apart as readMs). clvkit's `fit`
// fits Gamma-Gamma together with the transaction model whenever the summary has monetary values,
// so for "bgNbd" and "paretoNbd" the monetary column is dropped before reading (untimed) and the
// fit is the transaction model alone; "bgNbd+gammaGamma" reads the whole file and times both.
// The timed part is one `fit` call: from the summary in wasm memory to the fitted parameters (with
// standard errors and log-likelihood) in JS. A warm-up fit on --warmup runs first (discarded).
// Prints one JSON line: {case, model, readMs, ms, cpuMs (the process's CPU time during the fit),
// customers, fits, maxRssBytes, wasmMemoryBytes}.
import { readFileSync } from "node:fs";

const opts = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opts[argv[i].replace(/^--/, "")] = argv[i + 1];
if (!opts.file || !opts.model) throw new Error("--file and --model are required");

const { ingestSummary } = await import("../../js/node.js");
const { initSync } = await import("../../dist/wasm/clvkit.js");
const wasm = initSync();

const models = opts.model.split("+");
const transactionModel = models.find((m) => m !== "gammaGamma");
const withSpend = models.includes("gammaGamma");

/** The summary text, without the monetary column unless Gamma-Gamma is fitted too. */
function summaryText(path) {
  const text = readFileSync(path, "utf8");
  return withSpend ? text : text.replace(/^([^,\n]*,[^,\n]*,[^,\n]*,[^,\n]*),[^\n]*$/gm, "$1");
}

async function read(path) {
  const text = summaryText(path);
  const t0 = performance.now();
  const summary = await ingestSummary(text);
  const readMs = performance.now() - t0;
  if (summary.report.rejectedRows) throw new Error(`clvkit rejected ${summary.report.rejectedRows} rows of ${path}`);
  return { summary, readMs };
}

function fit(summary, unit) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = summary.fit({ model: transactionModel, unit });
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { result, ms, cpuMs: (c.user + c.system) / 1000 };
}

if (opts.warmup) {
  const { summary } = await read(opts.warmup);
  fit(summary, opts["warmup-unit"] ?? opts.unit);
  summary.free();
}

const { summary, readMs } = await read(opts.file);
const customers = summary.report.customers ?? summary.customers().customerId.length;
const { result, ms, cpuMs } = fit(summary, opts.unit ?? "days");
summary.free();

const describe = (f) => ({
  params: Object.fromEntries(Object.entries(f.params).filter(([k]) => k !== "model")),
  logLikelihood: f.logLikelihood,
  iterations: f.iterations,
  gradientNorm: f.gradientNorm,
  converged: f.converged,
  warnings: f.warnings.map((w) => w.code),
});
const fits = { [transactionModel]: describe(result.transactions) };
if (withSpend) {
  if (!result.spend) throw new Error(`no Gamma-Gamma fit: ${JSON.stringify(result.warnings)}`);
  fits.gammaGamma = describe(result.spend);
}
process.stdout.write(
  JSON.stringify({
    case: "clvkit",
    model: opts.model,
    readMs,
    ms,
    cpuMs,
    customers,
    fits,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    wasmMemoryBytes: wasm.memory.buffer.byteLength,
  }) + "\n",
);
