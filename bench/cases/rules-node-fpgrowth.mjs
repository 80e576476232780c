// node-fpgrowth (npm, pure JS FP-growth) for the frequent itemsets, then a small JS step that
// derives every association rule with mlxtend 0.25's metric definitions (node-fpgrowth mines
// itemsets only). The file is read whole and split into baskets (items trimmed; an item repeated
// within a basket kept once, as mlxtend's TransactionEncoder and clvkit make baskets sets).
// Timed: reading and splitting (parse), mining (fpgrowth) and the rule step (rules), all three.
import { readFileSync } from "node:fs";
import { FPGrowth } from "node-fpgrowth";
import { runRulesCase } from "./rules-common.mjs";

function readBaskets(path) {
  const baskets = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const items = [...new Set(line.split(",").map((s) => s.trim()).filter(Boolean))];
    if (items.length) baskets.push(items);
  }
  return baskets;
}

/**
 * Every rule A → C (A, C non-empty, disjoint, A ∪ C a frequent itemset) with mlxtend's metrics:
 * sA, sC, sAC; confidence = sAC/sA; lift = confidence/sC; leverage = sAC − sA·sC; conviction =
 * (1 − sC)/(1 − confidence), +∞ when confidence ≥ 1; Zhang = leverage / max(sAC(1 − sA),
 * sA(sC − sAC)), 0 when that is 0; jaccard = sAC/(sA + sC − sAC); certainty = (confidence − sC)/(1 − sC),
 * 0 when 1 − sC = 0; kulczynski = (sAC/sA + sAC/sC)/2.
 */
export function deriveRules(itemsets, n) {
  const support = new Map(); // sorted items joined by "|" → support
  const sorted = itemsets.map((s) => [...s.items].sort());
  sorted.forEach((items, k) => support.set(items.join("|"), itemsets[k].support / n));
  const antecedents = [], consequents = [];
  const cols = Array.from({ length: 11 }, () => []);
  for (const items of sorted) {
    const m = items.length;
    if (m < 2) continue;
    const sAC = support.get(items.join("|"));
    for (let mask = 1; mask < (1 << m) - 1; mask++) {
      const a = [], c = [];
      for (let i = 0; i < m; i++) (mask & (1 << i) ? a : c).push(items[i]);
      const ak = a.join("|"), ck = c.join("|");
      const sA = support.get(ak), sC = support.get(ck);
      const confidence = sAC / sA;
      const lift = confidence / sC;
      const leverage = sAC - sA * sC;
      const conviction = confidence < 1 ? (1 - sC) / (1 - confidence) : Infinity;
      const zden = Math.max(sAC * (1 - sA), sA * (sC - sAC));
      const zhang = zden === 0 ? 0 : leverage / zden;
      const jaccard = sAC / (sA + sC - sAC);
      const certainty = 1 - sC === 0 ? 0 : (confidence - sC) / (1 - sC);
      const kulczynski = (sAC / sA + sAC / sC) / 2;
      antecedents.push(ak);
      consequents.push(ck);
      [sA, sC, sAC, confidence, lift, leverage, conviction, zhang, jaccard, certainty, kulczynski].forEach((x, k) => cols[k].push(x));
    }
  }
  return { antecedents, consequents, columns: cols.map((c) => Float64Array.from(c)) };
}

await runRulesCase("node-fpgrowth", {
  setup: () => null,
  async job(_, path, minSupport) {
    const t0 = performance.now();
    const baskets = readBaskets(path);
    const t1 = performance.now();
    const itemsets = await new FPGrowth(minSupport).exec(baskets);
    const t2 = performance.now();
    const table = deriveRules(itemsets, baskets.length);
    const t3 = performance.now();
    return { table, itemsets: itemsets.length, parts: { parse: t1 - t0, fpgrowth: t2 - t1, rules: t3 - t2 } };
  },
});
