// The benchmark runner (`npm run bench`): ingest + per-customer BTYD summary of a transactions CSV,
// clvkit (wasm under Node) side by side with its peers, in one session, on one machine.
//
//   node bench/run.mjs                 # 100k and 1M rows, writes bench/RESULTS.md
//   node bench/run.mjs --smoke         # a tiny file, one run per case: seconds; checks correctness
//   node bench/run.mjs --rows 250000   # sizes of your choice (comma-separated)
//   options: --runs N (timed runs per case and size; default 5 up to 100k rows, 3 above),
//            --cases clvkit,duckdb,... (default: all), --seed S, --no-write (don't write RESULTS.md)
//
// Each case (bench/cases/<name>.mjs) runs in its own Node process, so its peak RSS
// (`process.resourceUsage().maxRSS`) is its own; it warms up on a small file, then times one run
// on the real one. For each size, round 0 runs every case untimed and writes its summary, and every
// peer's summary must equal clvkit's (same customers; frequency, recency, T exactly; monetary
// value within 1e-6 relative): a fast wrong answer fails the benchmark (exit 1). Then the timed
// rounds run every case once per round, the starting case rotating from round to round, so the
// peers alternate within the same session. Speed is reported as ratios against the peers of the
// same run: targets ≥ 2× DuckDB-WASM and ≥ 5× PapaParse.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dataset, DATA_DIR } from "./generate.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");

/** The cases, clvkit first (the reference of the correctness check and of the ratios). */
export const CASES = [
  { id: "clvkit", label: "clvkit (wasm)", script: "cases/clvkit.mjs" },
  { id: "duckdb", label: "DuckDB-WASM (read_csv + GROUP BY)", script: "cases/duckdb.mjs", target: 2 },
  { id: "papaparse", label: "PapaParse + JS Maps", script: "cases/papaparse.mjs", target: 5 },
];
const REFERENCE = "clvkit";

function options(argv) {
  const o = { smoke: false, rows: null, runs: null, cases: null, seed: 42, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--smoke") o.smoke = true;
    else if (a === "--rows") o.rows = value().split(",").map((s) => parseCount(s, a));
    else if (a === "--runs") o.runs = parseCount(value(), a);
    else if (a === "--cases") o.cases = value().split(",");
    else if (a === "--seed") o.seed = parseCount(value(), a);
    else if (a === "--no-write") o.write = false;
    else if (a === "--help" || a === "-h") usage();
    else usage(`unknown argument ${a}`);
  }
  o.rows ??= o.smoke ? [2_000] : [100_000, 1_000_000];
  if (o.smoke) o.write = false;
  const unknown = (o.cases ?? []).filter((c) => !CASES.some((k) => k.id === c));
  if (unknown.length) usage(`unknown case(s) ${unknown.join(", ")}; cases: ${CASES.map((c) => c.id).join(", ")}`);
  return o;
}

function parseCount(s, name) {
  const n = Number(s.replace(/_/g, "").replace(/k$/i, "000").replace(/m$/i, "000000"));
  if (!Number.isInteger(n) || n < 0) usage(`${name}: not a count: ${s}`);
  return n;
}

function usage(error) {
  const text = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(0, 10).join("\n");
  (error ? console.error : console.log)(`${error ? `bench: ${error}\n\n` : ""}${text}`);
  process.exit(error ? 2 : 0);
}

const log = (...a) => console.error("[bench]", ...a);

const DIST_FILES = ["clvkit.js", "clvkit_bg.wasm"].map((f) => join(repo, "dist", "wasm", f));
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Waits (up to `ms`) for dist/wasm to exist: a rebuild removes it for a while. */
function waitForBuild(ms = 300_000) {
  const until = Date.now() + ms;
  while (!DIST_FILES.every((f) => existsSync(f))) {
    if (Date.now() > until) throw new Error("dist/wasm is missing: run `npm run build`");
    sleep(2_000);
  }
}

/** Runs one case in a child process; returns its JSON report. Retries twice when the wasm build
 * went missing under it (someone rebuilding), never for a wrong answer. */
function runChild(c, file, { warmup, out }, attempt = 0) {
  if (c.id === REFERENCE) waitForBuild();
  const argv = [join(here, c.script), "--file", file];
  if (warmup) argv.push("--warmup", warmup);
  if (out) argv.push("--out", out);
  const p = spawnSync(process.execPath, argv, { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  const last = p.stdout.trim().split("\n").pop();
  if (p.status !== 0 || !last) {
    const rebuilt = c.id === REFERENCE && !DIST_FILES.every((f) => existsSync(f));
    if (rebuilt && attempt < 2) {
      log(`  ${c.id}: dist/wasm disappeared (a rebuild?); waiting for it and retrying`);
      return runChild(c, file, { warmup, out }, attempt + 1);
    }
    throw new Error(`case ${c.id} failed (exit ${p.status ?? p.signal}) on ${file}`);
  }
  return JSON.parse(last);
}

/** A summary TSV as Map id → [frequency, recency, T, monetary]. */
function readSummary(path) {
  const m = new Map();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line) continue;
    const [id, ...v] = line.split("\t");
    if (m.has(id)) throw new Error(`${path}: customer ${id} appears twice`);
    m.set(id, v.map(Number));
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
  for (const [id, a] of ref) {
    const b = peer.get(id);
    if (!b) {
      add(`customer ${id} missing`);
      continue;
    }
    const names = ["frequency", "recency", "T"];
    for (let k = 0; k < 3; k++) if (a[k] !== b[k]) add(`customer ${id}: ${names[k]} ${b[k]}, expected ${a[k]}`);
    const scale = Math.max(Math.abs(a[3]), Math.abs(b[3]));
    if (!(Math.abs(a[3] - b[3]) <= 1e-6 * scale + 1e-12)) add(`customer ${id}: monetary_value ${b[3]}, expected ${a[3]}`);
  }
  for (const id of peer.keys()) if (!ref.has(id)) add(`unexpected customer ${id}`);
  return { count, problems };
}

/** Size and hash of the clvkit wasm the runs use (it may be rebuilt by others while the bench runs). */
function wasmIdentity() {
  try {
    const bytes = readFileSync(join(repo, "dist", "wasm", "clvkit_bg.wasm"));
    return `dist/wasm/clvkit_bg.wasm ${(bytes.length / 1024).toFixed(1)} KiB, sha256 ${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}…`;
  } catch {
    return "dist/wasm/clvkit_bg.wasm missing";
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function machine(cases, reports) {
  const cpuinfo = (() => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  })();
  const model = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? "unknown";
  const pkg = (name) => {
    try {
      return JSON.parse(readFileSync(join(repo, "node_modules", name, "package.json"), "utf8")).version;
    } catch {
      return "?";
    }
  };
  const git = (args) => spawnSync("git", args, { cwd: repo, encoding: "utf8" }).stdout?.trim() ?? "";
  const own = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
  const duck = reports.find((r) => r.case === "duckdb-wasm");
  const baseline = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.resourceUsage().maxRSS * 1024))"], { encoding: "utf8" });
  return {
    cpu: model,
    cores: cpus().length,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    commit: `${git(["rev-parse", "--short", "HEAD"])}${git(["status", "--porcelain", "--", "src", "js", "Cargo.toml"]) ? " + uncommitted changes" : ""}`,
    versions: {
      clvkit: own.version,
      "@duckdb/duckdb-wasm": `${pkg("@duckdb/duckdb-wasm")}${duck ? ` (DuckDB ${duck.version}, ${duck.threads} thread)` : ""}`,
      papaparse: pkg("papaparse"),
    },
    nodeBaselineRssBytes: Number(baseline.stdout) || null,
    cases: cases.map((c) => c.id),
  };
}

const fmt = {
  s: (ms) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1),
  mb: (bytes) => (bytes / 1e6).toFixed(1),
  mib: (bytes) => (bytes == null ? "–" : (bytes / 2 ** 20).toFixed(0)),
  rate: (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)} k` : x.toFixed(0)),
  ratio: (x) => (x >= 10 ? x.toFixed(0) : x.toFixed(2)),
};

function table(sizes) {
  const lines = [
    "| rows | file | case | time, median (min–max) | MB/s | rows/s | peak RSS | wasm memory | setup |",
    "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const s of sizes) {
    for (const r of s.results) {
      lines.push(
        `| ${s.rows.toLocaleString("en-US")} | ${fmt.mb(s.bytes)} MB | ${r.label} | ${fmt.s(r.median)} s (${fmt.s(r.min)}–${fmt.s(r.max)}) | ` +
          `${(s.bytes / 1e6 / (r.median / 1000)).toFixed(1)} | ${fmt.rate(s.rows / (r.median / 1000))} | ${fmt.mib(r.maxRss)} MiB | ` +
          `${r.wasm == null ? "–" : `${fmt.mib(r.wasm)} MiB`} | ${fmt.s(r.setup)} s |`,
      );
    }
  }
  return lines.join("\n");
}

function ratios(sizes) {
  const out = [];
  for (const s of sizes) {
    const ref = s.results.find((r) => r.id === REFERENCE);
    if (!ref) continue;
    const parts = s.results
      .filter((r) => r.id !== REFERENCE)
      .map((r) => {
        const x = r.median / ref.median;
        const verdict = r.target ? ` (target ≥ ${r.target}×: ${x >= r.target ? "met" : "MISSED"})` : "";
        return `**${fmt.ratio(x)}×** ${r.short}${verdict}`;
      });
    out.push(`- ${s.rows.toLocaleString("en-US")} rows: clvkit is ${parts.join(", ")} (time ratio of medians; > 1 means clvkit is faster).`);
  }
  return out.join("\n");
}

async function main() {
  const o = options(process.argv.slice(2));
  const cases = CASES.filter((c) => !o.cases || o.cases.includes(c.id) || c.id === REFERENCE);
  for (const c of cases) c.short = c.label.replace(/ \(.*$/, "").replace(/ \+.*$/, "");
  const outDir = join(DATA_DIR, "out");
  mkdirSync(outDir, { recursive: true });
  const sizes = [];
  const reports = [];
  let failed = false;
  const loadBefore = loadavg()[0];
  const wasmBefore = wasmIdentity();

  for (const rows of o.rows) {
    const data = dataset({ rows, seed: o.seed, log });
    const warm = dataset({ rows: Math.min(10_000, Math.max(100, rows >> 1)), seed: o.seed + 1, log });
    const runs = o.smoke ? 0 : o.runs ?? (rows <= 100_000 ? 5 : 3);
    log(`${rows.toLocaleString("en-US")} rows, ${fmt.mb(data.bytes)} MB (sha256 ${data.sha256.slice(0, 12)}…): check round, then ${runs} timed round(s)`);

    // Round 0: untimed (page cache, and each case's summary for the check).
    const samples = new Map(cases.map((c) => [c.id, []]));
    for (const c of cases) {
      const out = join(outDir, `${c.id}-${rows}.tsv`);
      const r = runChild(c, data.path, { warmup: warm.path, out });
      reports.push(r);
      if (runs === 0) samples.get(c.id).push(r); // smoke (or --runs 0): round 0 is also the measurement
      log(`  check ${c.id}: ${fmt.s(r.ms)} s, ${r.customers} customers`);
    }
    const ref = readSummary(join(outDir, `${REFERENCE}-${rows}.tsv`));
    for (const c of cases.filter((k) => k.id !== REFERENCE)) {
      const { count, problems } = compareSummaries(ref, readSummary(join(outDir, `${c.id}-${rows}.tsv`)));
      if (count) {
        failed = true;
        console.error(`[bench] WRONG: ${c.id} disagrees with ${REFERENCE} on ${count} value(s) at ${rows} rows:\n  ${problems.join("\n  ")}`);
      }
    }
    if (failed) break;
    log(`  summaries agree (${ref.size} customers)`);

    for (let round = 0; round < runs; round++) {
      const order = cases.map((_, i) => cases[(i + round) % cases.length]);
      for (const c of order) {
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
      results: cases.map((c) => {
        const ss = samples.get(c.id);
        const ms = ss.map((x) => x.ms);
        return {
          id: c.id,
          label: c.label,
          short: c.short,
          target: c.target,
          median: median(ms),
          min: Math.min(...ms),
          max: Math.max(...ms),
          maxRss: Math.max(...ss.map((x) => x.maxRssBytes)),
          wasm: ss[0].wasmMemoryBytes == null ? null : Math.max(...ss.map((x) => x.wasmMemoryBytes)),
          setup: median(ss.map((x) => x.setupMs)),
        };
      }),
    });
  }
  if (failed) {
    console.error("[bench] FAILED: a peer's summary differs from clvkit's (see above)");
    process.exit(1);
  }

  const m = machine(cases, reports);
  const wasmAfter = wasmIdentity();
  m.wasm = wasmBefore === wasmAfter ? wasmBefore : `CHANGED during the run (${wasmBefore} → ${wasmAfter}): rerun`;
  if (wasmBefore !== wasmAfter) log(`WARNING: dist/wasm/clvkit_bg.wasm was rebuilt during the run; the clvkit figures mix two builds`);
  m.load = `1-minute load average ${loadBefore.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (on ${m.cores} cores; above ~1 other work competed with the runs)`;
  const body = `${table(sizes)}\n\n${ratios(sizes)}`;
  console.log(`\n${body}\n`);
  if (o.write) {
    const dataLines = sizes
      .map((s) => `- ${s.rows.toLocaleString("en-US")} rows: ${s.bytes.toLocaleString("en-US")} bytes, ${s.customers.toLocaleString("en-US")} customers, sha256 \`${s.sha256}\`, ${s.runs} timed runs per case`)
      .join("\n");
    const md = `# Benchmark results

Generated by \`npm run bench\` (\`node bench/run.mjs\`); do not edit by hand.

The job: read a transactions CSV from disk and compute the per-customer BTYD summary (frequency,
recency, T in days as of the last order date, monetary value), with clvkit's purchase and returns
policy. Every peer's summary was checked equal to clvkit's before timing. Each run is a fresh Node
process that first runs the job on a 10,000-row file (discarded), then times one run; *peak RSS* is
that process's \`maxRSS\` (a bare \`node\` process: ${fmt.mib(m.nodeBaselineRssBytes)} MiB), *wasm memory* the size of
the engine's linear memory after the run, *setup* the engine's start (compiling and instantiating
its wasm; not in the time). Time runs from opening the file to having the summary columns in JS.
MB/s and rows/s are computed from the median.

${body}

## Machine and versions

- CPU: ${m.cpu}, ${m.cores} cores, ${m.memory} memory
- Node ${m.node}; clvkit ${m.versions.clvkit} (${m.commit}); @duckdb/duckdb-wasm ${m.versions["@duckdb/duckdb-wasm"]}; papaparse ${m.versions.papaparse}
- clvkit wasm: ${m.wasm}
- Date: ${m.date}; ${m.load}

## Data (bench/generate.mjs, seed ${o.seed})

${dataLines}
`;
    writeFileSync(join(here, "RESULTS.md"), md);
    log("wrote bench/RESULTS.md");
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`[bench] ${e.stack ?? e}`);
    process.exit(1);
  });
}
