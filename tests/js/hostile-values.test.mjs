// Hostile values at every JS entry point: each option of each calculator and dataset method is
// replaced in turn by values a careless or malicious caller might pass (NaN, infinities, huge and
// negative numbers, wrong types, long strings, nested objects, BigInt, Symbol). Every call must
// return or throw a ClvkitError with a stable code: a wasm trap (a panic) or any other error
// fails, and the instance must keep answering afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as clvkit from "../../js/node.js";

const { ClvkitError } = clvkit;
const HOSTILE = [
  undefined, null, NaN, Infinity, -Infinity, -0, 0, -1, 1e308, -1e308, 2 ** 53 + 2, 1e-320, 0.1 + 0.2,
  "", " ", "NaN", "Infinity", "1e5", "0x10", "-", "1.2.3", "٣", "9".repeat(400), "x".repeat(1 << 20),
  "2024-02-30", "0000-00-00", "9999-12-31", "__proto__", "constructor",
  true, [], [1, 2], [[[]]], {}, { a: 1 }, { valueOf: () => 5 }, Object.create(null),
  10n, Symbol("s"), () => 1, new Date(0), new Uint8Array(4),
];

/** Calls `fn`; fails unless it returns or throws a ClvkitError with a code. */
function survives(label, fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ClvkitError && typeof e.code === "string" && e.code.length > 0, `${label}: threw ${e?.constructor?.name}: ${e?.message ?? e}`);
    assert.notEqual(e.code, "INTERNAL", `${label}: internal error: ${e.message}`);
  }
}

const show = (v) => {
  try {
    return typeof v === "string" && v.length > 20 ? `"${v.slice(0, 8)}…"(${v.length})` : typeof v === "bigint" ? `${v}n` : typeof v === "symbol" ? "Symbol" : JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** Every key of `base` (and `extra` keys) replaced by every hostile value; and the whole argument. */
function attack(name, call, base, extra = []) {
  for (const v of HOSTILE) survives(`${name}(${show(v)})`, () => call(v));
  for (const key of [...Object.keys(base), ...extra]) {
    for (const v of HOSTILE) survives(`${name}({ ${key}: ${show(v)} })`, () => call({ ...base, [key]: v }));
  }
}

test("calculators: hostile values in every input", () => {
  const aov = { averageOrderValue: 75, purchaseFrequency: 3, lifespanYears: 4 };
  attack("simpleClv", clvkit.simpleClv, aov, ["multiplier", "annualChurnRate", "purchaseIntervalMonths"]);
  attack("profitClv", clvkit.profitClv, { ...aov, grossMarginPercent: 40, yearlyServiceCost: 10, cac: 100 });
  attack("retentionClv", clvkit.retentionClv, { marginPerPeriod: 100, retentionRate: 0.8, discountRate: 0.1, horizonPeriods: 12 });
  attack("cac", clvkit.cac, { channels: [{ channel: "a", spend: "100", newCustomers: 2 }] }, ["spend", "newCustomers"]);
  attack("cac.channels[0]", (v) => clvkit.cac({ channels: [v] }), {});
  attack("clvCacRatio", clvkit.clvCacRatio, { clv: 2500, cac: 800, monthlyRevenuePerCustomer: "41.67", grossMarginPercent: 60 });
  attack("whatIf", clvkit.whatIf, { ...aov, grossMarginPercent: 40, cac: 100, changePercent: 10 });
  attack("fitSbg", clvkit.fitSbg, { cohorts: [[1000, 631, 468, 382]], periods: 12, discountRate: 0.1, renewals: 1, penalizer: 0, maxIterations: 100 });
  attack("fitSbg.cohorts[0]", (v) => clvkit.fitSbg({ cohorts: [v] }), {});
});

test("ingest options: hostile values in every option", async () => {
  const text = "customer,date,amount\na,2024-01-01,10\na,2024-02-01,20\n";
  const options = { delimiter: ",", dateFormat: "ymd", decimalSeparator: "dot", returns: "net", strict: false, maxErrorExamples: 5, today: "2026-01-01", mapping: { customerId: "customer" } };
  for (const key of [...Object.keys(options), "mapping.customerId"]) {
    for (const v of HOSTILE) {
      const o = key === "mapping.customerId" ? { mapping: { customerId: v } } : { ...options, [key]: v };
      try {
        (await clvkit.ingest(text, o)).free();
      } catch (e) {
        assert.ok(e instanceof ClvkitError && e.code !== "INTERNAL", `ingest({ ${key}: ${show(v)} }): ${e?.constructor?.name}: ${e?.message}`);
      }
    }
  }
});

test("dataset methods: hostile values in every option", async () => {
  const d = await clvkit.ingest(readFileSync(new URL("../../www/sample/orders.csv", import.meta.url)).subarray(0, 120_000));
  const last = d.report.mapping && d.kpis().asOf;
  const methods = {
    customers: [{ unit: "weeks", asOf: last }],
    kpis: [{ asOf: last }],
    cohorts: [{ asOf: last }],
    rfm: [{ asOf: last }],
    lifecycle: [{ asOf: last, newDays: 30, minWindowDays: 90, gapMultiple: 2, singlePurchaseLapsedDays: 180 }],
    acquisition: [{ asOf: last, spend: [{ channel: "Paid search", spend: "1000" }], grossMarginPercent: 40 }],
    fit: [{ model: "bgNbd", unit: "weeks", asOf: last, penalizer: 0.01, maxIterations: 50 }],
    predict: [{ model: "bgNbd", unit: "weeks", horizon: 4, maxPurchases: 2, horizonMonths: 6, monthlyDiscountRate: 0.01, grossMarginPercent: 40, unitsPerMonth: 4.3, maxIterations: 50 }],
    validateModels: [{ calibrationEnd: "2023-03-31", unit: "weeks", maxFrequency: 5, trackingPoints: 5, maxIterations: 30 }],
    fitSbg: [{ asOf: last, periods: 6, discountRate: 0.1, renewals: 0 }],
    itemsets: [{ minSupport: 0.05, maxLen: 3, maxBasketItems: 50, maxItemsets: 1000 }],
    rules: [{ minSupport: 0.05, maxLen: 3, maxRules: 20, sortBy: "lift", filters: [{ metric: "lift", min: 1 }], antecedentAny: ["MG-ESP-4"], excludeItems: ["x"], maxAntecedentLen: 2, maxConsequentLen: 1 }],
    similarity: [{ topK: 3, minCoBuyers: 2, maxItemsPerCustomer: 100 }],
    upsell: [{ topK: 3, minMovers: 1, maxItemsPerCustomer: 100, decimals: 2 }],
    offers: [{ topN: 2, minProbability: 0.05, repeatMinRate: 0.5, rankBy: "probability", segmentTop: 2, decimals: 2, sources: ["rules", "similar"], margins: { "MG-ESP-4": "5.00" }, rules: { minSupport: 0.05 } }],
    evaluateOffers: [{ cutDate: "2023-03-31", k: 3, rules: { minSupport: 0.05 }, offers: { topN: 3 } }],
  };
  for (const [name, [base]] of Object.entries(methods)) attack(`dataset.${name}`, (v) => d[name](v), base);
  d.free();
  survives("a freed dataset", () => d.kpis());
});

test("the instance still answers after the attacks", async () => {
  assert.equal(clvkit.simpleClv({ averageOrderValue: 75, purchaseFrequency: 3, lifespanYears: 4 }).clv, "900.00");
  const d = await clvkit.ingest("customer,date,amount\na,2024-01-01,10\na,2024-02-01,20\n");
  assert.equal(d.kpis().customers, 1);
  d.free();
});
