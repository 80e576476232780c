// Predictive models from JS: fits and predictions on the CDNOW summary equal lifetimes 0.11.3's
// (tests/fixtures/lifetimes_models.json, made by make_models_fixture.py), and bad options are typed errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ingestSummaryFile, ingestFile, ingest, fitSbg, ClvkitError } from "clvkit";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/lifetimes_models.json", import.meta.url), "utf8"));
const cdnow = new URL("../fixtures/cdnow_summary.csv", import.meta.url).pathname;
const close = (got, want, rel, what) => assert.ok(Math.abs(got - want) <= rel * Math.max(1, Math.abs(want)), `${what}: ${got} vs ${want}`);

test("fits on the CDNOW summary (weeks) match lifetimes", async () => {
  const summary = await ingestSummaryFile(cdnow);
  try {
    for (const model of ["bgNbd", "mbgNbd", "paretoNbd"]) {
      const want = fixture.models[model];
      const { transactions, spend } = summary.fit({ model, unit: "weeks" });
      assert.equal(transactions.params.model, model);
      assert.ok(transactions.converged, model);
      assert.ok(transactions.logLikelihood >= want.logLikelihood - 1e-6, `${model}: ${transactions.logLikelihood} < ${want.logLikelihood}`);
      const rel = model === "paretoNbd" ? 2e-3 : 1e-5;
      for (const [name, value] of Object.entries(want.params)) close(transactions.params[name], value, rel, `${model}.${name}`);
      close(spend.params.p, fixture.gammaGamma.params.p, 1e-5, "gammaGamma.p");
      close(spend.params.q, fixture.gammaGamma.params.q, 1e-5, "gammaGamma.q");
      close(spend.params.gamma, fixture.gammaGamma.params.v, 1e-5, "gammaGamma.gamma");
    }
  } finally {
    summary.free();
  }
});

test("predictions per customer and for a new customer match lifetimes (BG/NBD)", async () => {
  const summary = await ingestSummaryFile(cdnow);
  try {
    const want = fixture.models.bgNbd;
    const p = summary.predict({ model: "bgNbd", unit: "weeks", horizon: fixture.tPredict, maxPurchases: 2 });
    const t = p.customers;
    assert.equal(t.customerId.length, 2357);
    fixture.customers.forEach((row, k) => {
      close(t.pAlive[row], want.pAlive[k], 1e-6, `pAlive[${row}]`);
      close(t.expectedPurchases[row], want.expectedPurchases[k], 1e-6, `expectedPurchases[${row}]`);
    });
    close(p.newCustomer.expectedPurchases, want.newCustomerExpected, 1e-6, "new customer");
    want.newCustomerPn.slice(0, 3).forEach((v, n) => close(p.newCustomer.probPurchases[n], v, 1e-6, `new customer P(${n})`));
    assert.equal(t.probPurchases.length, 3);
    assert.ok(t.pAlive.every((x) => x >= 0 && x <= 1) && t.clv.every(Number.isFinite));
    assert.ok(t.churnRisk.every((r) => ["low", "medium", "high"].includes(r)));
    assert.throws(() => summary.fit({ asOf: "2020-01-01" }), (e) => e.code === "OUT_OF_RANGE" && e.field === "asOf");
    const csv = summary.predictCsv({ unit: "weeks" }).split("\n");
    assert.equal(csv[0], "customer_id,p_alive,expected_purchases,expected_spend,clv,churn_risk");
    assert.equal(csv.filter(Boolean).length, 2358);
  } finally {
    summary.free();
  }
});

test("a dataset is fitted, predicted and validated on a holdout; bad options are typed errors", async () => {
  const rows = ["customer_id,date,amount"];
  for (let c = 0; c < 300; c++) {
    const visits = 1 + (c % 7);
    for (let v = 0; v < visits; v++) {
      const day = 1 + ((c * 7 + v * 41) % 360);
      const date = new Date(Date.UTC(2024, 0, day)).toISOString().slice(0, 10);
      rows.push(`c${c},${date},${(10 + ((c + v) % 9) * 3.25).toFixed(2)}`);
    }
  }
  const ds = await ingest(rows.join("\n"));
  try {
    const p = ds.predict({ model: "paretoNbd", horizonMonths: 6, monthlyDiscountRate: 0.01 });
    assert.equal(p.customers.customerId.length, 300);
    assert.ok(p.customers.dert instanceof Float64Array, "Pareto/NBD with a discount rate gives DERT");
    const v = ds.validateModels({ calibrationEnd: "2024-09-30" });
    assert.deepEqual(v.ranking.map((r) => r.model).sort(), ["bgNbd", "mbgNbd", "paretoNbd"]);
    assert.equal(v.best, v.ranking[0].model);
    for (const [call, options, code, field] of [
      ["fit", { model: "bgnbd" }, "OUT_OF_RANGE", "model"],
      ["fit", { penaliser: 0.1 }, "UNKNOWN_FIELD", "penaliser"],
      ["predict", { horizon: 0 }, "OUT_OF_RANGE", "horizon"],
      ["predict", { grossMarginPercent: 120 }, "OUT_OF_RANGE", "grossMarginPercent"],
      ["validateModels", {}, "MISSING_FIELD", "calibrationEnd"],
    ]) {
      assert.throws(() => ds[call](options), (e) => e instanceof ClvkitError && e.code === code && e.field === field, `${call} ${JSON.stringify(options)}`);
    }
  } finally {
    ds.free();
  }
});

test("data with no repeat buyers is INSUFFICIENT_DATA, not a number", async () => {
  const ds = await ingest("customer_id,date,amount\na,2024-01-01,5\nb,2024-02-01,7\nc,2024-03-01,9\n");
  try {
    assert.throws(() => ds.fit(), (e) => e.code === "INSUFFICIENT_DATA");
  } finally {
    ds.free();
  }
});

test("sBG retention from subscription cohorts matches Fader & Hardie's published fit", () => {
  const r = fitSbg({ cohorts: [[1000, 631, 468, 382, 326, 289, 262, 241]], periods: 12 });
  close(r.fit.params.alpha, 0.704, 1e-3, "alpha");
  close(r.fit.params.beta, 1.182, 1e-3, "beta");
  assert.equal(r.survival.length, 13);
  assert.ok(r.retention.every((x, i) => i === 0 || x >= r.retention[i - 1]), "retention rises as the fickle leave");
  assert.throws(() => fitSbg({ cohorts: [[100, 120]] }), (e) => e instanceof ClvkitError && e.field === "cohorts[0][1]");
});

test("Pareto/NBD at the homogeneous drop-out limit (the demo's orders in days) is quick and flagged", async () => {
  // These customers show no spread in drop-out rates: s and beta grow together without bound.
  // The fit must stop at the limit quickly (it took minutes and did not converge) and say so.
  const dataset = await ingestFile(new URL("../../www/sample/orders.csv", import.meta.url).pathname);
  try {
    for (const unit of ["days", "weeks"]) {
      const started = performance.now();
      const { transactions: t } = dataset.fit({ model: "paretoNbd", unit });
      const seconds = (performance.now() - started) / 1000;
      assert.ok(seconds < 30, `${unit}: ${seconds} s`);
      assert.ok(t.converged, `${unit}: ${JSON.stringify(t)}`);
      assert.ok(t.params.s > 1e6, `${unit}: s = ${t.params.s}`);
      const boundary = t.warnings.filter((w) => w.code === "PARAMETER_AT_BOUNDARY");
      assert.equal(boundary.length, 1, JSON.stringify(t.warnings));
      assert.equal(boundary[0].field, "params.s");
      assert.match(boundary[0].message, /same rate/);
    }
    // Days and weeks describe the same drop-out rate.
    const rate = (unit) => {
      const { s, beta } = dataset.fit({ model: "paretoNbd", unit }).transactions.params;
      return s / beta;
    };
    close(rate("days") * 7, rate("weeks"), 0.15, "drop-out rate per week");
  } finally {
    dataset.free();
  }
});

/** The progress reports of one call, grouped by fit: checks the shape every fit's reports share. */
function fitReports(events, fits) {
  assert.ok(events.every((e) => e.fits === fits), JSON.stringify(events[0]));
  const byFit = Array.from({ length: fits }, (_, i) => events.filter((e) => e.fit === i));
  assert.deepEqual(events.map((e) => e.fit), byFit.flatMap((list, i) => list.map(() => i)), "fits report one after another");
  for (const list of byFit) {
    const phases = list.map((e) => e.phase);
    assert.deepEqual(phases.slice(-2), ["standardErrors", "done"]);
    assert.ok(phases.slice(0, -2).every((p) => p === "fitting"));
    const its = list.map((e) => e.iteration);
    assert.ok(its.slice(0, -2).every((v, i, a) => i === 0 || a[i - 1] < v), `iterations increase: ${its}`);
    assert.ok(list.every((e) => Number.isFinite(e.logLikelihood) && Number.isFinite(e.gradientNorm) && e.model === list[0].model));
  }
  return byFit;
}

test("onProgress hears summary fits and predictions: each iteration, then standard errors, then done", async () => {
  const summary = await ingestSummaryFile(cdnow);
  try {
    const events = [];
    const result = summary.fit({ model: "bgNbd", unit: "weeks", onProgress: (e) => events.push(e) });
    const [bg, gg] = fitReports(events, 2);
    assert.deepEqual(Object.keys(events[0]).sort(), ["fit", "fits", "gradientNorm", "iteration", "logLikelihood", "model", "phase"]);
    assert.equal(bg[0].model, "bgNbd");
    assert.equal(gg[0].model, "gammaGamma");
    assert.equal(bg.at(-1).iteration, result.transactions.iterations);
    close(bg.at(-1).logLikelihood, result.transactions.logLikelihood, 1e-12, "final log-likelihood");
    assert.equal(gg.at(-1).iteration, result.spend.iterations);
    assert.ok(events.length <= result.transactions.iterations + result.spend.iterations + 4, "at most one report per iteration");
    // The same fit with and without a callback (and with onProgress undefined).
    assert.deepEqual(result, summary.fit({ model: "bgNbd", unit: "weeks" }));
    assert.deepEqual(result, summary.fit({ model: "bgNbd", unit: "weeks", onProgress: undefined }));
    const seen = [];
    summary.predictCsv({ model: "paretoNbd", unit: "weeks", onProgress: (e) => seen.push(e) });
    assert.equal(fitReports(seen, 2)[0][0].model, "paretoNbd");
  } finally {
    summary.free();
  }
});

test("onProgress hears a dataset's fit and each model of validateModels; what a callback throws stops the call and reaches the caller", async () => {
  const ds = await ingestFile(new URL("../fixtures/btyd_transactions.csv", import.meta.url).pathname);
  try {
    const events = [];
    ds.fit({ model: "mbgNbd", onProgress: (e) => events.push(e) });
    assert.equal(fitReports(events, 2)[0][0].model, "mbgNbd");
    const validation = [];
    const v = ds.validateModels({ calibrationEnd: "2023-06-30", onProgress: (e) => validation.push(e) });
    const models = fitReports(validation, 3).map((list) => list[0].model);
    assert.deepEqual(models, ["bgNbd", "mbgNbd", "paretoNbd"]);
    for (const fit of v.fits) assert.equal(validation.filter((e) => e.model === fit.params.model).at(-1).iteration, fit.iterations);

    // Throwing stops the call at once, and the caller gets what was thrown, as from offers and ingest.
    const boom = new RangeError("enough");
    let calls = 0;
    const stop = (e) => {
      calls++;
      if (e.fit === 1 || e.iteration >= 2) throw boom;
    };
    for (const call of [() => ds.fit({ onProgress: stop }), () => ds.validateModels({ calibrationEnd: "2023-06-30", onProgress: stop })]) {
      calls = 0;
      assert.throws(call, (e) => e === boom);
      assert.ok(calls >= 1 && calls <= 3, `${calls} calls`);
    }
    // A thrown non-Error too; and the handle still works afterwards.
    assert.throws(() => ds.fit({ onProgress: () => { throw "no"; } }), (e) => e === "no");
    assert.equal(ds.fit({ model: "bgNbd" }).transactions.params.model, "bgNbd");
    assert.throws(() => ds.fit({ onProgress: 1 }), (e) => e instanceof ClvkitError && e.code === "INVALID_INPUT" && e.field === "onProgress");
  } finally {
    ds.free();
  }
});
