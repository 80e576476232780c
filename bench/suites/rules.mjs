// Suite "rules" (issues 5 and 8): frequent itemsets and association rules on the real Online
// Retail baskets; clvkit's wasm under Node against mlxtend (fpgrowth + association_rules), the npm
// package node-fpgrowth (+ a JS rule step with mlxtend's metrics) and efficient-apriori.
//
// Each case (bench/cases/rules-<name>.mjs or rules_<name>.py) runs in its own process, so its
// peak RSS is its own; it warms up on a slice of the baskets, then times one run from the file on
// disk to the full rule table. Round 0 runs every case untimed and writes its rules; every peer's
// rules must equal clvkit's (same antecedent → consequent pairs; each comparable metric equal to
// 1e-9 relative, +∞ where clvkit has it). Then the timed rounds run every case once per round,
// the starting case rotating, so the peers alternate within the same session.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RULE_COLUMNS } from "../cases/rules-common.mjs";
import { BENCH_DIR, REPO, caseStats, fmt, log, loadTracker, median, nodeBaselineRss, npmVersion, python, pythonVersion, ratioText, runNode, scratch, spawnJson, waitForBuild, wasmIdentity } from "../lib.mjs";

export const id = "rules";
export const title = "Frequent itemsets and association rules (issues 5 and 8)";

export const BASKETS = join(REPO, "..", "shared", "data", "online-retail-baskets.txt");
const TARGET_SUPPORT = 0.005;

/** The cases, clvkit first (the reference). `compare`: how many of RULE_COLUMNS are comparable. */
export const CASES = [
  { id: "clvkit", label: "clvkit (wasm)", script: "cases/rules-clvkit.mjs", compare: 11 },
  { id: "mlxtend", label: "mlxtend (TransactionEncoder + fpgrowth + association_rules)", short: "mlxtend", script: "cases/rules_mlxtend.py", python: true, compare: 11, target: 20 },
  { id: "node-fpgrowth", label: "node-fpgrowth + JS rules", short: "node-fpgrowth", script: "cases/rules-node-fpgrowth.mjs", compare: 11, target: 20 },
  // Its conviction adds 1e-9 to the denominator, and it has no other metric: the first five compare.
  { id: "efficient-apriori", label: "efficient-apriori (apriori + rules)", short: "efficient-apriori", script: "cases/rules_efficient_apriori.py", python: true, compare: 5 },
];
const REFERENCE = "clvkit";

const parseNum = (s) => (s === "inf" ? Infinity : s === "-inf" ? -Infinity : s === "nan" ? NaN : Number(s));

/** A rules TSV as Map "A -> C" → metrics. */
function readRules(path) {
  const m = new Map();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line) continue;
    const [a, c, ...v] = line.split("\t");
    const key = `${a} -> ${c}`;
    if (m.has(key)) throw new Error(`${path}: rule ${key} appears twice`);
    m.set(key, v.map(parseNum));
  }
  return m;
}

/** Differences between a peer's rules and the reference's over the first `k` metrics. */
export function compareRules(ref, peer, k, max = 5) {
  const problems = [];
  let count = 0;
  let worst = 0; // largest relative difference seen among finite values
  const add = (text) => {
    count++;
    if (problems.length < max) problems.push(text);
  };
  for (const [key, a] of ref) {
    const b = peer.get(key);
    if (!b) {
      add(`rule ${key} missing`);
      continue;
    }
    for (let j = 0; j < k; j++) {
      const x = a[j], y = b[j];
      if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
      const rel = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
      if (Number.isFinite(rel)) worst = Math.max(worst, rel);
      if (!(rel <= 1e-9)) add(`rule ${key}: ${RULE_COLUMNS[j]} ${y}, expected ${x}`);
    }
  }
  for (const key of peer.keys()) if (!ref.has(key)) add(`unexpected rule ${key}`);
  return { count, problems, worst };
}

function runChild(c, file, support, { warmup, out }) {
  const argv = ["--file", file, "--support", String(support), "--warmup", warmup.path, "--warmup-support", String(warmup.support)];
  if (out) argv.push("--out", out);
  // No __pycache__ next to the case scripts (they import rules_common.py).
  if (c.python) return spawnJson(python(), [join(BENCH_DIR, c.script), ...argv], { cwd: join(BENCH_DIR, "cases"), env: { PYTHONDONTWRITEBYTECODE: "1" } });
  if (c.id === REFERENCE) waitForBuild();
  return runNode(join(BENCH_DIR, c.script), argv);
}

/** Reads an unsigned LEB128 varint of `bytes` at `at.i`. */
function varint(bytes, at) {
  let value = 0, shift = 0, b;
  do {
    b = bytes[at.i++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return value;
}

/**
 * The baskets of tests/fixtures/recommend_baskets.bin (the same real baskets projected onto the
 * items of support ≥ 0.01; format in tests/fixtures/make_recommend_fixture.py) as text lines, so
 * that the smoke run needs nothing outside the repository.
 */
function fixtureLines() {
  const bytes = readFileSync(join(REPO, "tests", "fixtures", "recommend_baskets.bin"));
  const at = { i: 0 };
  const names = Array.from({ length: varint(bytes, at) }, () => {
    const len = varint(bytes, at);
    const name = bytes.subarray(at.i, at.i + len).toString("utf8");
    at.i += len;
    return name;
  });
  return Array.from({ length: varint(bytes, at) }, () => {
    let item = 0;
    return Array.from({ length: varint(bytes, at) }, () => names[(item += varint(bytes, at))]).join(",");
  });
}

/** The first `n` non-empty baskets of the source, written under bench/.data/rules. */
function slice(n, smoke) {
  const lines = (smoke ? fixtureLines() : readFileSync(BASKETS, "utf8").split("\n")).filter(Boolean).slice(0, n);
  const path = join(scratch("rules"), `baskets-${smoke ? "fixture" : "shared"}-first-${n}.txt`);
  const text = lines.join("\n") + "\n";
  if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileSync(path, text);
  return path;
}

const partsText = (ss) => {
  const names = Object.keys(ss[0].parts ?? {});
  return names.map((p) => `${p} ${fmt.ms(median(ss.map((x) => x.parts[p])))}`).join(", ") + " ms";
};

function table(supports) {
  const lines = [
    "| min support | itemsets | rules | case | time, median (min–max) | parts (medians) | peak RSS | wasm memory | setup |",
    "| ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |",
  ];
  for (const s of supports) {
    for (const r of s.results) {
      lines.push(
        `| ${s.support} | ${fmt.int(r.itemsets)} | ${fmt.int(r.rules)} | ${r.label} | ${fmt.span(r)} | ${r.parts} | ${fmt.mib(r.maxRss)} MiB | ` +
          `${r.wasm == null ? "–" : `${fmt.mib(r.wasm)} MiB`} | ${fmt.ms(r.setup)} ms |`,
      );
    }
  }
  return lines.join("\n");
}

export async function run({ smoke, runs: runsOpt, cases: only }) {
  if (!smoke && !existsSync(BASKETS)) throw new Error(`${BASKETS} is missing (the shared Online Retail baskets)`);
  const cases = CASES.filter((c) => !only || only.includes(c.id) || c.id === REFERENCE);
  const outDir = scratch("rules");
  const load = loadTracker();
  const wasmBefore = wasmIdentity();
  // Smoke: the first 3,000 baskets of the in-repo fixture (no file outside the repository needed).
  const file = smoke ? slice(3_000, true) : BASKETS;
  const bytes = readFileSync(file);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const basketCount = bytes.toString("utf8").split("\n").filter(Boolean).length;
  // Warm-up: the first 2,000 baskets at 0.03 (seconds for every peer; lower supports explode on
  // this slice, whose few huge identical baskets make millions of itemsets).
  const warmup = { path: slice(2_000, smoke), support: 0.03 };
  const supports = smoke ? [0.02, 0.03] : [TARGET_SUPPORT, 0.01];
  const runs = smoke ? 0 : runsOpt ?? 3;
  const failures = [];
  const targets = [];
  const results = [];
  const comparisons = [];

  for (const support of supports) {
    log(`rules: ${fmt.int(basketCount)} baskets at min support ${support}: check round, then ${runs} timed round(s)`);
    const samples = new Map(cases.map((c) => [c.id, []]));
    for (const c of cases) {
      const r = runChild(c, file, support, { warmup, out: join(outDir, `${c.id}-${support}.tsv`) });
      if (runs === 0) samples.get(c.id).push(r);
      log(`  check ${c.id}: ${fmt.s(r.ms)} s, ${r.itemsets} itemsets, ${r.rules} rules`);
    }
    const ref = readRules(join(outDir, `${REFERENCE}-${support}.tsv`));
    if (ref.size === 0) failures.push(`rules: clvkit found no rule at support ${support}: nothing to compare`);
    for (const c of cases.filter((k) => k.id !== REFERENCE)) {
      const { count, problems, worst } = compareRules(ref, readRules(join(outDir, `${c.id}-${support}.tsv`)), c.compare);
      if (count) failures.push(`rules: ${c.id} disagrees with ${REFERENCE} on ${count} value(s) at support ${support}:\n  ${problems.join("\n  ")}`);
      comparisons.push({ support, id: c.id, rules: ref.size, compare: c.compare, worst });
    }
    if (failures.length) break;
    log(`  rule sets agree (${ref.size} rules)`);

    for (let round = 0; round < runs; round++) {
      for (const c of cases.map((_, i) => cases[(i + round) % cases.length])) {
        const r = runChild(c, file, support, { warmup });
        samples.get(c.id).push(r);
        log(`  round ${round + 1}/${runs} ${c.id}: ${fmt.s(r.ms)} s, peak RSS ${fmt.mib(r.maxRssBytes)} MiB`);
      }
    }
    results.push({
      support,
      runs: Math.max(1, runs),
      results: cases.map((c) => {
        const ss = samples.get(c.id);
        return { ...c, ...caseStats(ss), parts: partsText(ss), itemsets: ss[0].itemsets, rules: ss[0].rules };
      }),
    });
  }
  if (failures.length) return { failures, targets, markdown: "" };

  const ratioLines = results.map((s) => {
    const ref = s.results.find((r) => r.id === REFERENCE);
    const parts = s.results
      .filter((r) => r.id !== REFERENCE)
      .map((r) => {
        const target = !smoke && s.support === TARGET_SUPPORT ? r.target : undefined;
        const q = ratioText(r.median, ref.median, r.short, target);
        if (target) targets.push({ name: `rules at support ${s.support} vs ${r.short}`, ratio: q.x, target, met: q.met });
        return q.text;
      });
    return `- min support ${s.support}: clvkit is ${parts.join(", ")} (time ratio of medians; > 1 means clvkit is faster).`;
  });
  const compareLines = comparisons.map(
    (c) => `${c.id} at ${c.support}: ${fmt.int(c.rules)} rules, ${c.compare === 11 ? "all 11 metrics" : `the first ${c.compare} metrics`}, largest relative difference ${c.worst.toExponential(1)}`,
  );
  const wasmAfter = wasmIdentity();
  const markdown = `The job: from the baskets file on disk (one basket per line, comma-separated item codes) to the full
table of association rules, every rule A → C of every frequent itemset at the given minimum
support, with mlxtend's metrics. Each case reads and splits the file itself inside the timing
(clvkit: \`ingestBasketsFile\` then \`rules({ minSupport, maxRules: 10000000 })\`, the typed-array
columns in JS; mlxtend: TransactionEncoder into a dense boolean DataFrame, \`fpgrowth(use_colnames=True)\`,
\`association_rules(metric="confidence", min_threshold=0)\`; node-fpgrowth: its \`FPGrowth.exec\` for the
itemsets, then a small JS step deriving the rules with mlxtend's metric definitions; efficient-apriori:
\`apriori(min_confidence=0, no max_length)\` with its rule objects materialised). *Parts* splits each time
(medians). Every peer's rule set was checked equal to clvkit's before timing: the same antecedent →
consequent pairs, and each metric equal to 1e-9 relative (+∞ conviction where clvkit has it); for
efficient-apriori only antecedent and consequent support, support, confidence and lift compare (its
conviction adds 1e-9 to the denominator, so it is finite where mlxtend's is +∞, and it has no other
metric). Each run is a fresh process that first runs the job on the first 2,000 baskets at support 0.03
(discarded), then times one run; *peak RSS* is that process's maxRSS (a bare \`node\`: ${fmt.mib(nodeBaselineRss())} MiB),
*wasm memory* clvkit's linear memory after the run, *setup* the imports (Python) or the wasm start (not in the time).

${table(results)}

${ratioLines.join("\n")}

- Compared: ${compareLines.join("; ")}.
- Versions: mlxtend ${pythonVersion("mlxtend")} (pandas ${pythonVersion("pandas")}, numpy ${pythonVersion("numpy")}); node-fpgrowth ${npmVersion("node-fpgrowth")}; efficient-apriori ${pythonVersion("efficient-apriori")}; Python in bench/.venv
- clvkit wasm: ${wasmBefore === wasmAfter ? wasmBefore : `CHANGED during the run (${wasmBefore} → ${wasmAfter}): rerun`}
- Load: ${load()}
- Data: ${smoke ? "the first 3,000 non-empty baskets of `tests/fixtures/recommend_baskets.bin` (the shared baskets projected onto the items of support ≥ 0.01)" : "`../shared/data/online-retail-baskets.txt`"} (${fmt.int(basketCount)} baskets, ${fmt.int(bytes.length)} bytes, sha256 \`${sha256}\`), ${results[0]?.runs ?? 0} timed run(s) per case and support. The baskets come from the UCI Machine Learning Repository "Online Retail" data set (Daqing Chen, 2015), CC BY 4.0, as extracted for the Efficient-Apriori project's test data.`;
  return { markdown, failures, targets };
}
