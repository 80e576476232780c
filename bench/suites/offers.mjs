// Suite "offers" (issue 8): next-best-offer scoring for about 100,000 customers. No peer computes
// the same thing (offers from rules + similarity + upsell, valued and ranked per customer), so
// there is no ratio and no target: the suite reports clvkit's time, customers/s and memory, and
// checks the offers against invariants computed independently from the CSV instead of a peer.
//
// The case (bench/cases/offers-clvkit.mjs) runs in its own process: it warms up on a small file,
// ingests the file (timed apart), then times `offers`. Round 0 writes the offers and checks them;
// the timed rounds follow.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dataset } from "../generate.mjs";
import { BENCH_DIR, fmt, log, loadTracker, median, nodeBaselineRss, runNode, scratch, waitForBuild, wasmIdentity } from "../lib.mjs";

export const id = "offers";
export const title = "Next-best offers for 100k customers (issue 8)";

const TOP_N = 3;
const MIN_PROBABILITY = 0.05; // offers' default floor
const REPEAT_MIN_RATE = 0.3; // offers' default

/** Returns policy of clvkit's ingest (as bench/cases/papaparse.mjs): "C" + digits, or a negative net. */
const CANCELLED_ID = /^[Cc][0-9]+$/;

/**
 * From the CSV, independently of clvkit: every customer, the items each bought (lines with a
 * positive quantity in non-return orders) and each item's repeat rate (share of its buyers who
 * bought it on two or more days).
 */
function purchases(path) {
  const lines = readFileSync(path, "utf8").split("\n");
  const header = lines[0].split(",");
  const col = (k) => header.indexOf(k);
  const [iOrder, iCustomer, iDate, iAmount, iQuantity, iProduct] = ["order_id", "customer_id", "date", "amount", "quantity", "product_id"].map(col);
  const orders = new Map(); // order id → { customer, date, net, lines: [product, quantity] }
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    if (!line) continue;
    // Only the last column (category) may be quoted; the ones read here come before it.
    const f = line.split(",");
    const key = f[iOrder];
    let o = orders.get(key);
    if (!o) orders.set(key, (o = { customer: f[iCustomer], date: f[iDate], net: 0, lines: [] }));
    o.net += Number(f[iAmount]);
    o.lines.push([f[iProduct], Number(f[iQuantity])]);
  }
  const bought = new Map(); // customer → Map item → Set of days
  const customers = new Set();
  for (const [key, o] of orders) {
    customers.add(o.customer);
    if (CANCELLED_ID.test(key) || o.net < 0) continue;
    let items = bought.get(o.customer);
    if (!items) bought.set(o.customer, (items = new Map()));
    for (const [p, q] of o.lines) {
      if (!p || !(q > 0)) continue;
      if (!items.has(p)) items.set(p, new Set());
      items.get(p).add(o.date);
    }
  }
  const buyers = new Map(), repeaters = new Map();
  for (const items of bought.values()) {
    for (const [p, days] of items) {
      buyers.set(p, (buyers.get(p) ?? 0) + 1);
      if (days.size > 1) repeaters.set(p, (repeaters.get(p) ?? 0) + 1);
    }
  }
  const repeatRate = new Map([...buyers].map(([p, b]) => [p, (repeaters.get(p) ?? 0) / b]));
  return { customers, bought, repeatRate };
}

/** Problems with the offers (at most `max` described) against the invariants. */
export function checkOffers(path, outPath, report, max = 5) {
  const { customers, bought, repeatRate } = purchases(path);
  const problems = [];
  let count = 0;
  const add = (t) => {
    count++;
    if (problems.length < max) problems.push(t);
  };
  const byCustomer = new Map();
  for (const line of readFileSync(outPath, "utf8").split("\n")) {
    if (!line) continue;
    const [c, rank, item, p, value, alive, ev, source] = line.split("\t");
    if (!byCustomer.has(c)) byCustomer.set(c, []);
    byCustomer.get(c).push({ rank: Number(rank), item, p: Number(p), value: Number(value), alive: Number(alive), ev: Number(ev), source });
  }
  let repeats = 0;
  for (const [c, offers] of byCustomer) {
    if (!customers.has(c)) add(`offers for unknown customer ${c}`);
    if (offers.length > TOP_N) add(`${c}: ${offers.length} offers (topN ${TOP_N})`);
    if (new Set(offers.map((x) => x.item)).size !== offers.length) add(`${c}: an item offered twice`);
    offers.forEach((x, k) => {
      if (x.rank !== k + 1) add(`${c}: rank ${x.rank} at position ${k + 1}`);
      if (![x.p, x.value, x.alive, x.ev].every(Number.isFinite)) add(`${c}: ${x.item} has a non-finite number`);
      if (!(x.p >= MIN_PROBABILITY && x.p <= 1)) add(`${c}: ${x.item} probability ${x.p} outside [${MIN_PROBABILITY}, 1]`);
      if (!(x.value >= 0 && x.alive >= 0 && x.alive <= 1)) add(`${c}: ${x.item} value ${x.value}, pAlive ${x.alive}`);
      // value is money text at 2 decimals; the expected value uses the unrounded median price.
      if (!(Math.abs(x.ev - x.p * x.value * x.alive) <= x.p * x.alive * 0.005 + 1e-9 * Math.max(1, x.ev))) add(`${c}: ${x.item} expectedValue ${x.ev} ≠ P × value × pAlive`);
      if (!["rule", "similar", "upsell"].includes(x.source)) add(`${c}: source ${x.source}`);
      if (k > 0 && x.ev > offers[k - 1].ev) add(`${c}: offers not sorted by expected value at rank ${x.rank}`);
      if (bought.get(c)?.has(x.item)) {
        repeats++;
        if (!((repeatRate.get(x.item) ?? 0) >= REPEAT_MIN_RATE)) add(`${c}: ${x.item} already bought, repeat rate ${repeatRate.get(x.item)} < ${REPEAT_MIN_RATE}`);
      }
    });
  }
  if (report.customers !== customers.size) add(`${report.customers} customers scored, the CSV has ${customers.size}`);
  const segments = JSON.parse(readFileSync(`${outPath}.segments.json`, "utf8"));
  const segCustomers = segments.reduce((s, g) => s + g.customers, 0);
  const segWith = segments.reduce((s, g) => s + g.customersWithOffers, 0);
  if (segCustomers !== customers.size) add(`segments hold ${segCustomers} customers, expected ${customers.size}`);
  if (segWith !== byCustomer.size) add(`segments say ${segWith} customers have offers, the table has ${byCustomer.size}`);
  return { count, problems, customersWithOffers: byCustomer.size, repeats };
}

function runChild(file, warmup, out) {
  waitForBuild();
  const argv = ["--file", file, "--warmup", warmup, "--top-n", String(TOP_N)];
  if (out) argv.push("--out", out);
  return runNode(join(BENCH_DIR, "cases/offers-clvkit.mjs"), argv);
}

export async function run({ smoke, rows: rowsOpt, runs: runsOpt, seed = 42 }) {
  const load = loadTracker();
  const wasmBefore = wasmIdentity();
  const rows = rowsOpt?.[0] ?? (smoke ? 2_000 : 500_000);
  const data = dataset({ rows, seed, log });
  const warm = dataset({ rows: Math.min(10_000, Math.max(100, rows >> 1)), seed: seed + 1, log });
  const runs = smoke ? 0 : runsOpt ?? 3;
  const out = join(scratch("out"), `offers-${rows}.tsv`);
  log(`offers: ${fmt.int(rows)} rows, ${fmt.int(data.customers)} customers: check round, then ${runs} timed round(s)`);
  const first = runChild(data.path, warm.path, out);
  const check = checkOffers(data.path, out, first);
  if (check.count) {
    return { failures: [`offers: ${check.count} invariant violation(s) at ${rows} rows:\n  ${check.problems.join("\n  ")}`], targets: [], markdown: "" };
  }
  log(`  offers hold the invariants (${first.offers} offers to ${check.customersWithOffers} of ${first.customers} customers)`);
  const samples = runs === 0 ? [first] : [];
  for (let round = 0; round < runs; round++) {
    const r = runChild(data.path, warm.path);
    samples.push(r);
    log(`  round ${round + 1}/${runs}: offers ${fmt.s(r.ms)} s, peak RSS ${fmt.mib(r.maxRssBytes)} MiB`);
  }
  const ms = samples.map((x) => x.ms);
  const span = { median: median(ms), min: Math.min(...ms), max: Math.max(...ms) };
  const stageNames = Object.keys(first.parts);
  const stages = stageNames.map((s) => `${s} ${fmt.ms(median(samples.map((x) => x.parts[s] ?? 0)))} ms`).join(", ");
  const wasmAfter = wasmIdentity();
  const markdown = `The job: next-best offers for every customer of a synthetic shop, \`dataset.offers({ topN: ${TOP_N}, sources: ["rules", "similar", "upsell"] })\`
with every other option at its default (rules at min support 0.01, similarity top 10 with ≥ 2 co-buyers, upsell top 5, relevance floor
${MIN_PROBABILITY}, bought items re-offered only at a repeat rate ≥ ${REPEAT_MIN_RATE}, P(alive) = 1, values at median price).
Timed: from the ingested dataset to the offer table and the per-segment summaries in JS (the ingest is
timed apart). No peer computes the same thing, so there is no ratio and no target. Instead of a peer,
the offers were checked against invariants computed from the CSV independently of clvkit before timing:
every offered customer exists and has at most ${TOP_N} offers ranked 1…k, each item once; P in [${MIN_PROBABILITY}, 1],
value, P(alive) and expected value finite, expected value = P × value × P(alive) (value as printed, to the cent), sorted by it; an item the
customer already bought only when its repeat rate (buyers on two or more days / buyers) is ≥ ${REPEAT_MIN_RATE}
(${fmt.int(check.repeats)} such offers); every customer scored, and the segment summaries add up. Each run is
a fresh Node process that first runs the whole job on a ${fmt.int(warm.rows)}-row file (discarded).

| rows | customers | offers | customers with offers | offers time, median (min–max) | customers/s | stages (medians) | ingest | peak RSS | wasm memory |
| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |
| ${fmt.int(rows)} | ${fmt.int(first.customers)} | ${fmt.int(first.offers)} | ${fmt.int(first.customersWithOffers)} | ${fmt.span(span)} | ${fmt.rate(first.customers / (span.median / 1000))} | ${stages} | ${fmt.s(median(samples.map((x) => x.ingestMs)))} s | ${fmt.mib(Math.max(...samples.map((x) => x.maxRssBytes)))} MiB | ${fmt.mib(Math.max(...samples.map((x) => x.wasmMemoryBytes)))} MiB |

- Stages from \`onProgress\`: rules, similarity and upsell build the candidate sources, scoring ranks every customer's candidates, output is the conversion to JS columns. Candidates under the floor: ${fmt.int(first.belowFloor)}.${first.warnings.length ? ` Warnings: ${first.warnings.join(", ")}.` : ""}
- Peak RSS includes the ingest of the file (a bare \`node\`: ${fmt.mib(nodeBaselineRss())} MiB); wasm memory is the linear memory after the run.
- clvkit wasm: ${wasmBefore === wasmAfter ? wasmBefore : `CHANGED during the run (${wasmBefore} → ${wasmAfter}): rerun`}
- Load: ${load()}
- Data (bench/generate.mjs, seed ${seed}): ${fmt.int(rows)} rows, ${fmt.int(data.bytes)} bytes, ${fmt.int(first.customers)} customers with orders in the file, sha256 \`${data.sha256}\`; ${Math.max(1, runs)} timed run(s).`;
  return { markdown, failures: [], targets: [] };
}
