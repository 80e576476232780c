// What the benchmark suites share: child processes that report JSON, the Python peers' venv,
// statistics and formatting, and the machine description every results section carries.
// A suite (bench/suites/<id>.mjs) uses only these helpers and its own case scripts.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO = join(BENCH_DIR, "..");
export const DATA_DIR = join(BENCH_DIR, ".data");
export const VENV = join(BENCH_DIR, ".venv");

export const log = (...a) => console.error("[bench]", ...a);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median, min and max of a list of numbers. */
export const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

/**
 * One case's timed runs (JSON reports of the case protocol) summed up: time median, min and max;
 * the highest peak RSS and wasm memory; the median setup time.
 */
export function caseStats(reports) {
  const ms = reports.map((x) => x.ms);
  return {
    ...stats(ms),
    maxRss: Math.max(...reports.map((x) => x.maxRssBytes)),
    wasm: reports[0].wasmMemoryBytes == null ? null : Math.max(...reports.map((x) => x.wasmMemoryBytes)),
    setup: median(reports.map((x) => x.setupMs)),
  };
}

export const fmt = {
  s: (ms) => (ms / 1000).toFixed(ms < 10_000 ? (ms < 100 ? 3 : 2) : 1),
  ms: (ms) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)),
  mb: (bytes) => (bytes / 1e6).toFixed(1),
  kib: (bytes) => (bytes == null ? "–" : (bytes / 1024).toFixed(1)),
  mib: (bytes) => (bytes == null ? "–" : (bytes / 2 ** 20).toFixed(0)),
  rate: (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)} k` : x.toFixed(0)),
  ratio: (x) => (x >= 10 ? x.toFixed(0) : x.toFixed(2)),
  int: (n) => n.toLocaleString("en-US"),
  /** "12 ms (10–15)" or "1.23 s (1.20–1.30)": a stats object, in the unit that reads best. */
  span: ({ median: m, min, max }) =>
    m < 1000 ? `${fmt.ms(m)} ms (${fmt.ms(min)}–${fmt.ms(max)})` : `${fmt.s(m)} s (${fmt.s(min)}–${fmt.s(max)})`,
};

/** "**12×** mlxtend (target ≥ 20×: met)": a peer's median over clvkit's; > 1 means clvkit is faster. */
export function ratioText(peerMs, clvkitMs, name, target) {
  const x = peerMs / clvkitMs;
  const verdict = target ? ` (target ≥ ${target}×: ${x >= target ? "met" : "MISSED"})` : "";
  return { x, met: !target || x >= target, text: `**${fmt.ratio(x)}×** ${name}${verdict}` };
}

/**
 * Runs a command whose last stdout line is a JSON report; returns the parsed report. stderr is
 * passed through (progress); a non-zero exit or a missing report throws with the command line.
 */
export function spawnJson(cmd, args, { cwd = REPO, env, timeoutMs = 3_600_000, input } = {}) {
  const p = spawnSync(cmd, args, {
    cwd,
    env: env ? { ...process.env, ...env } : process.env,
    encoding: "utf8",
    input,
    stdio: [input == null ? "ignore" : "pipe", "pipe", "inherit"],
    maxBuffer: 1 << 28,
    timeout: timeoutMs,
  });
  const last = (p.stdout ?? "").trim().split("\n").pop();
  if (p.status !== 0 || !last) {
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${p.status ?? p.signal}${p.error ? `, ${p.error.message}` : ""})`);
  }
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`${cmd} ${args.join(" ")}: last line is not JSON: ${last.slice(0, 200)}`);
  }
}

/** Runs a Node script in its own process (so its peak RSS is its own); returns its JSON report. */
export const runNode = (script, args = [], opts) => spawnJson(process.execPath, [script, ...args], opts);

/**
 * The Python interpreter of the peers' venv (bench/.venv), created and filled from
 * bench/requirements.txt (exact pins) on first use and whenever that file changes.
 */
export function python() {
  const req = join(BENCH_DIR, "requirements.txt");
  const want = createHash("sha256").update(readFileSync(req)).digest("hex");
  const stamp = join(VENV, ".requirements.sha256");
  const exe = join(VENV, "bin", "python");
  if (existsSync(exe) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return exe;
  log(`installing the Python peers into bench/.venv (${readFileSync(req, "utf8").match(/^[a-zA-Z]/gm).length} pinned packages; about a minute)`);
  const run = (cmd, args) => {
    const p = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"] });
    if (p.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${p.status ?? p.signal})`);
  };
  if (!existsSync(exe)) run("python3", ["-m", "venv", VENV]);
  run(exe, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", req]);
  writeFileSync(stamp, want);
  return exe;
}

/** Installed version of a Python package in the venv, or "?". */
export function pythonVersion(pkg) {
  const p = spawnSync(python(), ["-c", `import importlib.metadata as m; print(m.version(${JSON.stringify(pkg)}))`], { encoding: "utf8" });
  return p.status === 0 ? p.stdout.trim() : "?";
}

/** Installed version of an npm package in node_modules, or "?". */
export function npmVersion(name) {
  try {
    return JSON.parse(readFileSync(join(REPO, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

/** Size and hash of the clvkit wasm the runs use. */
export function wasmIdentity() {
  try {
    const bytes = readFileSync(join(REPO, "dist", "wasm", "clvkit_bg.wasm"));
    return `dist/wasm/clvkit_bg.wasm ${(bytes.length / 1024).toFixed(1)} KiB, sha256 ${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}…`;
  } catch {
    return "dist/wasm/clvkit_bg.wasm missing";
  }
}

const git = (args) => spawnSync("git", args, { cwd: REPO, encoding: "utf8" }).stdout?.trim() ?? "";

/** The machine, Node, commit and date: one line for every results section. */
export function machineLine() {
  let model = cpus()[0]?.model ?? "unknown";
  try {
    model = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)?.[1] ?? model;
  } catch {}
  const dirty = git(["status", "--porcelain", "--", "src", "js", "Cargo.toml", "bench"]) ? " + uncommitted changes" : "";
  const own = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;
  return `${model}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; clvkit ${own} (${git(["rev-parse", "--short", "HEAD"])}${dirty}); ${new Date().toISOString().slice(0, 10)}`;
}

/** Tracks the 1-minute load average across a suite, so a results section says if others competed. */
export function loadTracker() {
  const before = loadavg()[0];
  return () =>
    `1-minute load average ${before.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (on ${cpus().length} cores; above ~1 other work competed with the runs)`;
}

/** Peak RSS of a bare `node` process, the floor under every Node case's figure. */
export function nodeBaselineRss() {
  const p = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.resourceUsage().maxRSS * 1024))"], { encoding: "utf8" });
  return Number(p.stdout) || null;
}

/** A scratch directory under bench/.data. */
export function scratch(name) {
  const dir = join(DATA_DIR, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const DIST_FILES = ["clvkit.js", "clvkit_bg.wasm"].map((f) => join(REPO, "dist", "wasm", f));
/** Waits (up to `ms`) for dist/wasm to exist: a rebuild removes it for a while. */
export function waitForBuild(ms = 300_000) {
  const until = Date.now() + ms;
  while (!DIST_FILES.every((f) => existsSync(f))) {
    if (Date.now() > until) throw new Error("dist/wasm is missing: run `npm run build`");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
  }
}
