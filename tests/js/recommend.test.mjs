// Cross-sell from JS: rules on a baskets file equal mlxtend's (the toy fixture, infinities
// included), and rules, similarity, upsell, offers and their evaluation on an ingested dataset.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ingest, ingestBaskets, ClvkitError } from "clvkit";

const toy = readFileSync(new URL("../fixtures/recommend_mlxtend_toy.tsv", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l && !l.startsWith("#"))
  .map((l) => l.split("\t"));

test("rules of a baskets file equal mlxtend's, with Infinity for conviction at confidence 1", async () => {
  const text = toy.filter((r) => r[0] === "B").map((r) => r[1]).join("\n") + "\n";
  const baskets = await ingestBaskets(text);
  try {
    assert.equal(baskets.report.baskets, 5);
    assert.equal(baskets.report.duplicateItems, 1);
    assert.equal(baskets.report.acceptedRows + baskets.report.rejectedRows, baskets.report.totalRows);
    const result = baskets.rules({ minSupport: 0.6, maxRules: 1000 });
    const expected = toy.filter((r) => r[0] === "R");
    const t = result.rules;
    assert.equal(t.antecedents.length, expected.length);
    // Item sets are labelled with their names sorted and joined by "|"; the fixture sorts and joins by ",".
    const row = new Map(t.antecedents.map((a, i) => [`${a} -> ${t.consequents[i]}`, i]));
    const key = (a, c) => `${a.split(",").join("|")} -> ${c.split(",").join("|")}`;
    const metrics = ["antecedentSupport", "consequentSupport", "support", "confidence", "lift", "leverage", "conviction", "zhangsMetric", "jaccard", "certainty", "kulczynski"];
    let infinite = 0;
    for (const [, a, c, ...values] of expected) {
      const i = row.get(key(a, c));
      assert.ok(i !== undefined, `rule ${a} -> ${c}`);
      metrics.forEach((m, k) => {
        const want = values[k] === "inf" ? Infinity : Number(values[k]);
        if (want === Infinity) infinite++;
        const got = t[m][i];
        assert.ok(got === want || Math.abs(got - want) <= 1e-12 * Math.abs(want), `${a} -> ${c} ${m}: ${got} vs ${want}`);
      });
    }
    assert.ok(infinite > 0, "the fixture has rules of confidence 1");
    assert.ok(t.conviction instanceof Float64Array);
    const itemsets = baskets.itemsets({ minSupport: 0.6 });
    assert.equal(itemsets.itemsets.itemset.length, Number(toy.find((r) => r[0] === "itemsets")[1]));
    assert.match(baskets.rulesCsv({ minSupport: 0.6 }), /^antecedents,consequents,antecedent support,/);
    assert.match(baskets.rulesCsv({ minSupport: 0.6 }), /^Onion,Eggs\|Kidney Beans,0\.6,0\.8,0\.6,1,1\.25,0\.12,inf,/m);
    assert.ok(itemsets.itemsets.itemset.includes("Eggs|Kidney Beans|Onion"), itemsets.itemsets.itemset.join(" "));
  } finally {
    baskets.free();
  }
});

// Camera shop: cameras come with bags; some customers later move up to the pricier camera.
function shop() {
  const rows = ["order_id,customer_id,date,product_id,category,quantity,unit_price"];
  let order = 1;
  const buy = (customer, date, ...lines) => {
    for (const [product, category, price] of lines) rows.push(`${order},${customer},${date},${product},${category},1,${price}`);
    order++;
  };
  for (let c = 0; c < 40; c++) {
    const id = `c${String(c).padStart(2, "0")}`;
    if (c % 4 === 3) buy(id, "2024-01-05", ["CAM-BASIC", "camera", "300.00"]);
    else buy(id, "2024-01-05", ["CAM-BASIC", "camera", "300.00"], ["BAG", "bag", "40.00"]);
    if (c % 2 === 0) buy(id, "2024-03-10", ["CAM-PRO", "camera", "900.00"]);
    if (c % 5 === 0) buy(id, "2024-04-01", ["SD-CARD", "storage", "20.00"]);
  }
  return rows.join("\n") + "\n";
}

test("rules, similarity, upsell and offers on an ingested dataset, with reasons and segments", async () => {
  const ds = await ingest(shop());
  try {
    const rules = ds.rules({ minSupport: 0.05 });
    assert.ok(rules.rules.antecedents.some((a, i) => a === "BAG" && rules.rules.consequents[i] === "CAM-BASIC"), JSON.stringify(rules.rules.antecedents));
    const sim = ds.similarity({ topK: 2 });
    assert.ok(sim.pairs.itemId.length > 0 && sim.pairs.cosine.every((x) => x >= 0 && x <= 1 + 1e-12));
    const up = ds.upsell();
    const i = up.paths.itemId.indexOf("CAM-BASIC");
    assert.ok(i >= 0, "CAM-BASIC has an upsell path");
    assert.equal(up.paths.targetId[i], "CAM-PRO");
    assert.equal(up.paths.medianStep[i], "600.00");
    assert.equal(up.paths.rate[i], 20 / 40);
    const offers = ds.offers({ topN: 2, margins: { "CAM-PRO": "250.00", "NOT-SOLD": "1" } });
    const t = offers.offers;
    assert.ok(t.customerId.length > 0);
    const pro = t.itemId.indexOf("CAM-PRO");
    assert.ok(pro >= 0);
    assert.equal(t.value[pro], "250.00", "the margin replaces the price");
    // The reason names what the customer bought and the evidence for the offer.
    assert.match(t.reason[pro], /^bought (CAM-BASIC|BAG); \d+% of \S+ buyers (also bought|moved up to) CAM-PRO/);
    assert.ok(t.expectedValue.every((v, k) => v >= 0 && Math.abs(v - t.probability[k] * Number(t.value[k]) * t.pAlive[k]) < 1e-9));
    assert.ok(offers.warnings.some((w) => w.code === "UNKNOWN_PRODUCT"), JSON.stringify(offers.warnings));
    assert.ok(offers.segments.length > 0 && offers.segments.every((s) => typeof s.segment === "string"));
    assert.ok(ds.offersCsv({ sources: ["upsell"] }).startsWith("customer_id,rank,item_id,"));
    // With a model, each offer is weighed by its customer's P(alive) from that model.
    const weighed = ds.offers({ topN: 2, model: "bgNbd" }).offers;
    const alive = ds.predict({ model: "bgNbd", unit: "weeks" }).customers;
    const pAlive = new Map(Array.from(alive.customerId, (id, k) => [id, alive.pAlive[k]]));
    assert.ok(weighed.pAlive.some((p) => p < 1), "some customers are probably gone");
    weighed.customerId.forEach((id, k) => assert.ok(Math.abs(weighed.pAlive[k] - pAlive.get(id)) < 1e-9, id));
    const evaluation = ds.evaluateOffers({ cutDate: "2024-02-01", k: 2 });
    assert.deepEqual(evaluation.models.map((m) => m.model).sort(), ["nextBestOffer", "ownMostBought", "popularity"]);
    assert.ok(evaluation.models.every((m) => m.ndcgAtK >= 0 && m.ndcgAtK <= 1 && m.ndcgAtK <= m.hitRate), JSON.stringify(evaluation.models));
  } finally {
    ds.free();
  }
});

test("the relevance floor drops unlikely offers and counts them; topN caps offers per customer", async () => {
  const ds = await ingest(shop());
  try {
    // SD-CARD: bought by 8 of 40 customers (20 %) in orders of their own; the camera upgrade by half.
    const all = ds.offers({ topN: 5, minProbability: 0 });
    assert.equal(all.belowFloor, 0);
    const floor = 0.3;
    const kept = ds.offers({ topN: 5, minProbability: floor });
    const removed = all.offers.probability.filter((p) => p < floor).length;
    assert.ok(removed > 0, "some offers are under the floor");
    assert.equal(kept.offers.itemId.length, all.offers.itemId.length - removed);
    assert.ok(kept.offers.probability.every((p) => p >= floor));
    assert.ok(kept.belowFloor >= removed, `${kept.belowFloor} >= ${removed}`);
    assert.equal(ds.offers().belowFloor >= 0, true);
    const one = ds.offers({ topN: 1, minProbability: 0 });
    assert.ok(one.offers.rank.every((r) => r === 1));
    assert.equal(new Set(one.offers.customerId).size, one.offers.customerId.length);
    assert.throws(() => ds.offers({ minProbability: 2 }), (e) => e.code === "OUT_OF_RANGE" && e.field === "minProbability");
  } finally {
    ds.free();
  }
});

test("onProgress hears every stage of offers and evaluateOffers; throwing from it stops the call", async () => {
  const ds = await ingest(shop());
  try {
    const events = [];
    const result = ds.offers({ topN: 2, onProgress: (e) => events.push(e) });
    assert.ok(result.offers.itemId.length > 0);
    const stages = [...new Set(events.map((e) => e.stage))];
    assert.deepEqual(stages, ["rules", "similarity", "upsell", "scoring"]);
    const scoring = events.filter((e) => e.stage === "scoring");
    assert.deepEqual(scoring.at(0), { stage: "scoring", done: 0, total: 40 });
    assert.deepEqual(scoring.at(-1), { stage: "scoring", done: 40, total: 40 });
    assert.ok(scoring.every((e, i) => i === 0 || e.done > scoring[i - 1].done));
    // The same offers with or without a callback.
    assert.deepEqual(ds.offersCsv({ topN: 2 }), ds.offersCsv({ topN: 2, onProgress: () => {} }));
    const seen = [];
    ds.evaluateOffers({ cutDate: "2024-02-01", onProgress: (e) => seen.push(e.stage) });
    assert.deepEqual([...new Set(seen)], ["rules", "similarity", "upsell", "scoring", "evaluating"]);
    const stop = new Error("stop");
    assert.throws(() => ds.offers({ onProgress: (e) => { if (e.stage === "similarity") throw stop; } }), (e) => e === stop);
    assert.throws(() => ds.offers({ onProgress: 1 }), (e) => e.code === "INVALID_INPUT" && e.field === "onProgress");
    // The dataset is still usable after a stopped call.
    assert.deepEqual(ds.offers({ sources: ["upsell"], onProgress: (e) => seen.push(e.stage) }).warnings, []);
  } finally {
    ds.free();
  }
});

test("cross-sell options are checked like every other input", async () => {
  const ds = await ingest(shop());
  try {
    for (const [options, code, field] of [
      [{ minSupport: 0 }, "OUT_OF_RANGE", "minSupport"],
      [{ minsupport: 0.1 }, "UNKNOWN_FIELD", "minsupport"],
      [{ filters: [{ metric: "lift", min: "x" }] }, "INVALID_NUMBER", "filters[0].min"],
    ]) {
      assert.throws(() => ds.rules(options), (e) => e instanceof ClvkitError && e.code === code && e.field === field, JSON.stringify(options));
    }
    assert.throws(() => ds.offers({ sources: ["magic"] }), (e) => e.code === "OUT_OF_RANGE" && e.field === "sources[0]");
    assert.throws(() => ds.offers({ margins: { BAG: "-1" } }), (e) => e.code === "NEGATIVE" && e.field === 'margins["BAG"]');
    assert.throws(() => ds.offers({ rules: { maxLen: 0 } }), (e) => e.field === "rules.maxLen");
    assert.throws(() => ds.evaluateOffers({}), (e) => e.code === "MISSING_FIELD" && e.field === "cutDate");
  } finally {
    ds.free();
  }
});

test("offers weighed by a model reuse the P(alive) a matching prediction computed, with the same result", async () => {
  const csv = readFileSync(new URL("../../www/sample/orders.csv", import.meta.url));
  const options = { topN: 2, model: "bgNbd", rules: { minSupport: 0.02 } };
  const fresh = await ingest(csv);
  const expected = fresh.offersCsv(options);
  assert.equal(fresh.offersCsv(options), expected, "the second call (P(alive) kept) gives the same offers");
  fresh.free();
  const predicted = await ingest(csv);
  const p = predicted.predict({ model: "bgNbd", unit: "weeks" }); // the offers' own table and fit: reused
  assert.ok(p.customers.pAlive.length > 0);
  assert.equal(predicted.offersCsv(options), expected);
  predicted.predict({ model: "bgNbd", unit: "days" }); // another table: not reused, and changes nothing
  assert.equal(predicted.offersCsv(options), expected);
  predicted.free();
});
