// What the rules cases share (bench/suites/rules.mjs runs each in its own Node process):
//
//   node bench/cases/rules-<case>.mjs --file baskets.txt --support 0.005
//        [--warmup small.txt --warmup-support 0.03] [--out rules.tsv]
//
// A case sets up its engine (timed separately), runs the whole job once on the --warmup file at
// --warmup-support (discarded: JIT, lazy initialisation), then once on --file, timed: from the baskets file on disk
// to the full association-rule table in memory (every rule of every frequent itemset at
// --support, with mlxtend's metrics). It prints one JSON line on stdout:
// { case, setupMs, ms, parts, itemsets, rules, maxRssBytes, ...extra }. With --out it also writes
// the rules as TSV after the timing (RULE_COLUMNS; item lists as sorted names joined by "|",
// numbers in shortest round-trip form, "inf" for +∞) for the runner's comparison.
import { writeFileSync } from "node:fs";

/** The metric columns of the TSV, in mlxtend's order (its `representativity` left out). */
export const RULE_COLUMNS = [
  "antecedent support", "consequent support", "support", "confidence", "lift", "leverage",
  "conviction", "zhangs_metric", "jaccard", "certainty", "kulczynski",
];

export function args(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--")) throw new Error(`unexpected argument ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  if (!out.file || !out.support) throw new Error("--file and --support are required");
  out.support = Number(out.support);
  out["warmup-support"] = Number(out["warmup-support"] ?? out.support);
  return out;
}

const num = (x) => (x === Infinity ? "inf" : x === -Infinity ? "-inf" : Number.isNaN(x) ? "nan" : String(x));

/** A rule table { antecedents: string[], consequents: string[], columns: Float64Array[11] } → TSV. */
export function rulesTsv({ antecedents, consequents, columns }) {
  const lines = new Array(antecedents.length);
  for (let i = 0; i < antecedents.length; i++) {
    let line = `${antecedents[i]}\t${consequents[i]}`;
    for (const c of columns) line += `\t${num(c[i])}`;
    lines[i] = line;
  }
  return lines.join("\n") + (lines.length ? "\n" : "");
}

/**
 * Runs a case: `setup()` → engine; `job(engine, path, support)` → { table, itemsets, parts }
 * (awaited; `parts` names sub-timings in ms); `extra(engine)` → more report fields.
 */
export async function runRulesCase(name, { setup, job, extra = () => ({}) }) {
  const o = args();
  const t0 = performance.now();
  const engine = await setup();
  const setupMs = performance.now() - t0;
  if (o.warmup) await job(engine, o.warmup, o["warmup-support"]);
  const t1 = performance.now();
  const r = await job(engine, o.file, o.support);
  const ms = performance.now() - t1;
  const report = {
    case: name,
    support: o.support,
    setupMs,
    ms,
    parts: r.parts,
    itemsets: r.itemsets,
    rules: r.table.antecedents.length,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    ...extra(engine),
  };
  if (o.out) writeFileSync(o.out, rulesTsv(r.table));
  process.stdout.write(JSON.stringify(report) + "\n");
}
