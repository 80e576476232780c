// The built package under Node: every calculator through the real wasm, typed errors,
// and hostile JS values that must come back as ClvkitError without breaking the instance.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as clv from "../../js/node.js";
import { ClvkitError } from "../../js/node.js";

const article = { averageOrderValue: 75, purchaseFrequency: 3, lifespanYears: 4 };

function assertCode(fn, code, field) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `expected a ${code} error, got a result`);
  assert.ok(caught instanceof ClvkitError, `expected ClvkitError, got ${caught?.constructor?.name}: ${caught?.message}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, "ClvkitError");
  assert.equal(caught.code, code, caught.message);
  if (field !== undefined) assert.equal(caught.field, field, caught.message);
  assert.ok(caught.message.length > 10, "message explains the problem");
  return caught;
}

/** After any error the same module must still answer correctly. */
function assertStillWorks() {
  assert.equal(clv.simpleClv(article).clv, "900.00");
}

test("node entry is ready at import and reports its version", () => {
  assert.equal(clv.isReady(), true);
  assert.match(clv.version(), /^\d+\.\d+\.\d+$/);
});

test("article cases, exactly", () => {
  assert.equal(clv.simpleClv(article).clv, "900.00");
  assert.equal(clv.simpleClv({ averageOrderValue: "250", purchaseFrequency: 2, lifespanYears: 5 }).clv, "2500.00");
  assert.equal(clv.clvCacRatio({ clv: "2500", cac: 800 }).ratio, 3.125);
  assert.equal(clv.simpleClv({ averageOrderValue: 30, purchaseFrequency: 12, lifespanYears: 5 }).clv, "1800.00");
  assert.equal(clv.clvCacRatio({ clv: 1800, cac: 400 }).ratio, 4.5);
  assert.equal(clv.simpleClv({ averageOrderValue: 200, purchaseIntervalMonths: 3, lifespanYears: 5 }).clv, "4000.00");
  assert.equal(
    clv.simpleClv({ averageOrderValue: 800, multiplier: 1.3, purchaseFrequency: 1.5, lifespanYears: 10 }).clv,
    "15600.00",
  );
});

test("results echo inputs and state the formula", () => {
  const r = clv.simpleClv({ ...article, decimals: 0 });
  assert.equal(r.kind, "simple");
  assert.equal(r.clv, "900");
  assert.equal(r.inputs.averageOrderValue, "75");
  assert.equal(r.inputs.multiplier, "1");
  assert.equal(r.inputs.annualChurnRate, null);
  assert.match(r.formula, /averageOrderValue/);
});

test("money is exact: binary-float inputs keep their decimal meaning", () => {
  // 0.1 + 0.2 in floats is 0.30000000000000004; clvkit multiplies exact decimals.
  assert.equal(clv.simpleClv({ averageOrderValue: 0.1, purchaseFrequency: 3, lifespanYears: 1, decimals: 10 }).clv, "0.3000000000");
  assert.equal(clv.simpleClv({ averageOrderValue: "19.99", purchaseFrequency: "3", lifespanYears: "7", decimals: 4 }).clv, "419.7900");
});

test("profit, retention, CAC, ratio and what-if through wasm", () => {
  const p = clv.profitClv({ ...article, grossMarginPercent: 40, yearlyServiceCost: 10, cac: 100 });
  assert.equal(p.revenueClv, "900.00");
  assert.equal(p.grossProfitClv, "360.00");
  assert.equal(p.serviceCost, "40.00");
  assert.equal(p.netClv, "220.00");

  const r = clv.retentionClv({ marginPerPeriod: 100, retentionRate: 0.8, discountRate: 0.1, horizonPeriods: 3 });
  assert.equal(r.clvFirstPaymentNow, "366.67");
  assert.equal(r.clvFuturePaymentsOnly, "266.67");
  assert.equal(r.undiscountedClv, "500.00");
  assert.equal(r.expectedLifetimePeriods, 5);
  assert.deepEqual(r.horizon.periods, 3);

  const c = clv.cac({
    channels: [
      { channel: "search", spend: "1000", newCustomers: 10 },
      { channel: "social", spend: 500, newCustomers: 0 },
    ],
  });
  assert.equal(c.blended.cac, "150.00");
  assert.equal(c.channels[0].cac, "100.00");
  assert.equal(c.channels[1].cac, null);
  assert.equal(c.warnings.length, 1);

  const ratio = clv.clvCacRatio({ clv: 900, cac: 100, monthlyRevenuePerCustomer: "18.75", grossMarginPercent: 40 });
  assert.equal(ratio.band, "underInvesting");
  assert.equal(ratio.payback.months, 100 / 7.5);

  const w = clv.whatIf({ ...article, grossMarginPercent: 40, cac: 100, changePercent: 10 });
  assert.equal(w.levers.length, 5);
  const deltas = w.levers.map((l) => Number(l.delta));
  assert.deepEqual(deltas, [...deltas].sort((a, b) => b - a), "levers ranked by gain");
});

test("bad input gets typed errors naming the field", () => {
  assertCode(() => clv.simpleClv({ ...article, averageOrderValue: -5 }), "NEGATIVE", "averageOrderValue");
  assertCode(() => clv.simpleClv({ ...article, averageOrderValue: "1,2.3" }), "INVALID_NUMBER", "averageOrderValue");
  assertCode(() => clv.simpleClv({ ...article, lifespanYears: undefined }), "MISSING_FIELD");
  assertCode(() => clv.simpleClv({ ...article, annualChurnRate: 0.2 }), "CONFLICTING_FIELDS");
  assertCode(() => clv.simpleClv({ ...article, lifespanYears: undefined, annualChurnRate: 0 }), "OUT_OF_RANGE", "annualChurnRate");
  assertCode(() => clv.simpleClv({ ...article, lifespanYears: undefined, annualChurnRate: 1.5 }), "OUT_OF_RANGE", "annualChurnRate");
  assertCode(() => clv.retentionClv({ marginPerPeriod: 100, churnRate: 0 }), "OUT_OF_RANGE", "churnRate");
  assertCode(() => clv.retentionClv({ marginPerPeriod: 100, retentionRate: 1, discountRate: 0 }), "NOT_CONVERGENT");
  assertCode(() => clv.cac({ spend: 100, newCustomers: 0 }), "ZERO_NEW_CUSTOMERS", "newCustomers");
  assertCode(() => clv.cac({ spend: 100, newCustomers: 2.5 }), "NOT_INTEGER", "newCustomers");
  assertCode(
    () => clv.cac({ channels: [{ channel: "a", spend: 1, newCustomers: 1 }, { channel: "b", spend: "x", newCustomers: 1 }] }),
    "INVALID_NUMBER",
    "channels[1].spend",
  );
  assertCode(() => clv.clvCacRatio({ clv: 100, cac: 0 }), "ZERO_CAC", "cac");
  assertCode(() => clv.simpleClv({ ...article, averageOrderValue: "99999999999999999999999999999999" }), "OVERFLOW", "averageOrderValue");
  assertCode(() => clv.simpleClv({ ...article, averageOrderValue: "70000000000000000000000000000", purchaseFrequency: 10 }), "OVERFLOW");
  assertCode(() => clv.simpleClv({ ...article, avgOrderValue: 75 }), "UNKNOWN_FIELD", "avgOrderValue");
  assertStillWorks();
});

const hostile = [
  ["NaN", NaN, "NOT_FINITE"],
  ["Infinity", Infinity, "NOT_FINITE"],
  ["-Infinity", -Infinity, "NOT_FINITE"],
  ["1e300", 1e300, "OVERFLOW"],
  ["-1e300", -1e300, undefined],
  ["1e-300", 1e-300, undefined],
  ["Number.MAX_VALUE", Number.MAX_VALUE, "OVERFLOW"],
  ["1 MB string", "9".repeat(1 << 20), "INVALID_NUMBER"],
  ["1 MB of garbage", "\u0000\uffff".repeat(1 << 19), "INVALID_NUMBER"],
  ["null", null, "MISSING_FIELD"],
  ["true", true, "INVALID_TYPE"],
  ["array", [1, 2], "INVALID_TYPE"],
  ["object", { value: 1 }, "INVALID_TYPE"],
  ["empty string", "", "INVALID_NUMBER"],
  ["'NaN' string", "NaN", "INVALID_NUMBER"],
  ["'Infinity' string", "Infinity", "INVALID_NUMBER"],
  ["hex", "0x10", "INVALID_NUMBER"],
  ["bigint", 10n ** 40n, undefined],
  ["symbol", Symbol("x"), undefined],
  ["function", () => 1, undefined],
];

for (const [name, value, code] of hostile) {
  test(`hostile value as a money field: ${name}`, () => {
    for (const call of [
      () => clv.simpleClv({ ...article, averageOrderValue: value }),
      () => clv.clvCacRatio({ clv: value, cac: 1 }),
      () => clv.cac({ spend: value, newCustomers: 1 }),
      () => clv.retentionClv({ marginPerPeriod: value, churnRate: 0.5 }),
    ]) {
      assertCode(call, code ?? thrownCode(call));
    }
    assertStillWorks();
  });
}

function thrownCode(fn) {
  try {
    fn();
  } catch (e) {
    return e.code ?? "not a ClvkitError";
  }
  return "no error";
}

test("hostile values in rate and count fields", () => {
  for (const value of [NaN, Infinity, 1e300, -1, "1e400", null, [], {}, "50%"]) {
    assert.ok(thrownCode(() => clv.retentionClv({ marginPerPeriod: 1, retentionRate: value })) !== "no error");
    assert.ok(thrownCode(() => clv.cac({ spend: 1, newCustomers: value })) !== "no error");
    if (value !== null) {
      // null means "absent" for an optional field, so only the other values must fail.
      assert.ok(thrownCode(() => clv.retentionClv({ marginPerPeriod: 1, churnRate: 0.1, horizonPeriods: value })) !== "no error");
    }
    for (const fn of [
      () => clv.retentionClv({ marginPerPeriod: 1, retentionRate: value }),
      () => clv.cac({ spend: 1, newCustomers: value }),
      () => clv.whatIf({ ...article, grossMarginPercent: 40, changePercent: value }),
      () => clv.simpleClv({ ...article, decimals: value }),
    ]) {
      assert.notEqual(thrownCode(fn), "not a ClvkitError");
    }
  }
  assertStillWorks();
});

test("inputs of the wrong shape", () => {
  for (const input of [null, undefined, 42, "75", [], [article], true, new Map(), () => 1]) {
    for (const fn of [clv.simpleClv, clv.profitClv, clv.retentionClv, clv.cac, clv.clvCacRatio, clv.whatIf]) {
      const e = assertCode(() => fn(input), thrownCode(() => fn(input)));
      assert.ok(["INVALID_INPUT", "MISSING_FIELD"].includes(e.code), `${fn.name}(${String(input)}) gave ${e.code}`);
    }
  }
  assertCode(() => clv.cac({ channels: "search" }), "INVALID_INPUT");
  assertCode(() => clv.cac({ channels: [null] }), "INVALID_INPUT");
  assertCode(() => clv.cac({ channels: [] }), "OUT_OF_RANGE", "channels");
  const huge = Array.from({ length: 5000 }, (_, i) => ({ channel: `c${i}`, spend: 1, newCustomers: 1 }));
  assertCode(() => clv.cac({ channels: huge }), "OUT_OF_RANGE", "channels");
  assertStillWorks();
});
