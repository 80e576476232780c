// End-to-end test of the demo app (www/: landing → mapping → worker analysis → dashboard) in the
// system Chromium, one browser for the whole file. Every figure the page shows is checked against
// the same analysis run by the package in Node. Also: no request after the initial load, no CSP
// violation, the page and its worker cannot connect anywhere, axe, keyboard, phone width, dark
// scheme, cancel, and main-thread long tasks while a 100k-row file is analysed.
//   node --test tests/e2e/demo.test.mjs
// Leaves screenshots in tests/e2e/artifacts/ (gitignored).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer, WORKER_CSP } from "../../scripts/serve.mjs";
import { ingest } from "../../js/node.js";
import { sampleMargins, sampleOrdersCsv } from "../../www/sample/generate.js";
import { RULES_OPTIONS, SIMILARITY_OPTIONS, UPSELL_OPTIONS, offersOptions } from "../../www/cross-sell-options.js";
import { grossMarginPercent, predictOptions, validateOptions } from "../../www/model-options.js";
import { dataset as benchDataset } from "../../bench/generate.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const AXE_SOURCE = readFileSync(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
const SAMPLE = readFileSync(path.join(ROOT, "www/sample/orders.csv"), "utf8");

// A shop with products but no costs (the README's camera example): offers are valued at price, and
// BAG → CAM holds in every order with a bag, so its conviction is infinite.
const CAMERA_CSV = ["order_id,customer_id,date,product_id,category,quantity,unit_price"];
for (let c = 1; c <= 20; c++) {
  CAMERA_CSV.push(`A${c},c${c},2024-01-05,CAM,camera,1,300.00`);
  if (c % 4 !== 0) CAMERA_CSV.push(`A${c},c${c},2024-01-05,BAG,bag,1,40.00`);
  if (c % 2 === 0) CAMERA_CSV.push(`B${c},c${c},2024-03-10,CAM-PRO,camera,1,900.00`);
}

// A user's export: semicolon-separated, German headers clvkit does not recognise, d/m/Y dates,
// decimal commas with thousands dots, and two bad rows (an impossible date on line 6, an amount
// that is not a number on line 11).
const USER_CSV = [
  "Bestellnr;Kunde;Datum;Betrag;Kanal",
  "5001;K-100;03/02/2024;1.234,50;Newsletter",
  "5002;K-101;14/02/2024;89,90;Suche",
  "5003;K-100;28/03/2024;310,00;Newsletter",
  "5004;K-102;02/04/2024;45,00;Suche",
  "5005;K-103;31/02/2024;12,00;Suche",
  "5006;K-101;19/05/2024;120,10;Suche",
  "5007;K-104;21/05/2024;2.000,00;Messe",
  "5008;K-100;30/06/2024;99,99;Newsletter",
  "5009;K-105;01/07/2024;15,50;Suche",
  "5010;K-102;15/08/2024;zwölf;Suche",
  "5011;K-106;25/12/2024;640,00;Messe",
  "",
].join("\r\n");
const USER_MAPPING = { orderId: 0, customerId: 1, date: 2, amount: 3, channel: 4 };

let server;
let origin;
let browser;
let page;
const consoleErrors = [];
/** Every request of the page and its worker: [time, url]. */
const requests = [];
let loadedAt = Infinity;
/** What the package computes in Node for the files the page analyses. */
const expected = {};

async function analyseInNode(csv, options = {}, marginPercent = null) {
  const ds = await ingest(csv, options);
  try {
    const acq = ds.acquisition({ spend: [] });
    const kpis = ds.kpis();
    return { report: ds.report, kpis, customersCsv: ds.customersCsv(), channels: acq.channels.map((c) => c.channel), models: modelsInNode(ds, kpis, marginPercent), ds };
  } catch (e) {
    ds.free();
    throw e;
  }
}

/** The models as the worker runs them: validated on a holdout, then the best one's predictions; or why they failed. */
function modelsInNode(ds, kpis, marginPercent) {
  try {
    const validation = ds.validateModels(validateOptions(kpis));
    const options = predictOptions(validation.best, marginPercent);
    return { validation, options, prediction: ds.predict(options) };
  } catch (e) {
    return { failure: e.message };
  }
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(path.join(ARTIFACTS, "bestellungen.csv"), USER_CSV);
  expected.sample = await analyseInNode(SAMPLE, {}, grossMarginPercent(SAMPLE));
  expected.user = await analyseInNode(USER_CSV, { mapping: USER_MAPPING });
  expected.camera = await analyseInNode(CAMERA_CSV.join("\n"));
  server = await startServer({ port: 0, host: "127.0.0.1" });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI });
    });
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  });
  context.on("request", (r) => requests.push([Date.now(), r.url()]));
  page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => consoleErrors.push(`pageerror: ${err.message}`));
  // DEMO_QUERY=workers=2 runs every test against the demo's two-worker mode (www/demo/main.js).
  await page.goto(origin + "/" + (process.env.DEMO_QUERY ? `?${process.env.DEMO_QUERY}` : ""), { waitUntil: "load" });
  await page.waitForSelector("html[data-demo=ready][data-clvkit=ready]", { timeout: 30_000 });
  await page.waitForTimeout(200); // let the favicon and any late load settle before the mark
  loadedAt = Date.now();
});

after(async () => {
  for (const e of Object.values(expected)) e.ds?.free();
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve) ?? resolve());
});

/** The exact value behind a shown figure (money, counts and rates are <data value="…">). */
const exactOf = (selector) => page.locator(`${selector} data`).first().getAttribute("value");
const kpi = (key) => exactOf(`[data-kpi="${key}"] dd`);
const panelIds = () => page.locator("#panels > section.panel").evaluateAll((s) => s.map((e) => e.id));
const liveCharts = () => page.evaluate(() => Object.keys(window.Chart.instances).length);
/** The exact values in column `n` (1-based) of a panel table's body rows. */
const columnValues = (table, n) => page.locator(`${table} tbody tr > :nth-child(${n}) data`).evaluateAll((els) => els.map((e) => e.getAttribute("value")));
/** The row headers of a panel table ("A → B" for a rule). */
const rowHeads = (table) => page.locator(`${table} tbody th`).allTextContents();
/** Waits until a paged table's status line matches `pattern`, and returns it. */
async function statusOf(id, pattern) {
  await page.waitForFunction(([id, source]) => new RegExp(source).test(document.getElementById(`${id}-status`).textContent), [id, pattern.source]);
  return page.locator(`#${id}-status`).textContent();
}
/** Row indexes of a table's column `key`, ordered as the worker does (ties keep the table's order). */
function orderBy(column, descending, keep = () => true) {
  const rows = [...column.keys()].filter(keep);
  return rows.sort((a, b) => (descending ? -1 : 1) * (column[a] < column[b] ? -1 : column[a] > column[b] ? 1 : 0) || a - b);
}

async function waitForMapping() {
  await page.waitForSelector("#mapping:not([hidden]) #mapping-form[data-ready=true]", { timeout: 20_000 });
}
async function analyseAndWait() {
  const before = await page.locator("#demo-status").textContent();
  await page.click("#analyse");
  await page.waitForFunction((old) => {
    const s = document.getElementById("demo-status").textContent;
    return s !== old && /analysed in/.test(s) && !document.getElementById("dashboard").hidden;
  }, before, { timeout: 60_000 });
  // The page's signal that every panel is drawn with its first rows (bench/suites/browser.mjs uses it).
  assert.equal(await page.evaluate(() => document.documentElement.dataset.dashboard), "complete");
}
async function dropFile(name, text) {
  const transfer = await page.evaluateHandle(({ name, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: "text/csv" }));
    return dt;
  }, { name, text });
  await page.dispatchEvent("#dropzone", "drop", { dataTransfer: transfer });
}

describe("demo app", { timeout: 600_000 }, () => {
  test("the committed sample is the generator's output", () => {
    assert.equal(SAMPLE, sampleOrdersCsv());
    assert.ok(SAMPLE.length < 1.5 * 1024 * 1024, `sample is ${SAMPLE.length} bytes`);
    const r = expected.sample.report;
    assert.equal(r.rejectedRows, 0);
    assert.ok(r.customers >= 2000 && r.customers <= 5000, `${r.customers} customers`);
    assert.ok(r.returnRows > 0, "the sample has returns");
    assert.ok(r.lines > r.orders, "orders have several lines");
    assert.ok(expected.sample.channels.length >= 4, "several channels");
  });

  test("landing: the promise, a picker, drag and drop, the sample", async () => {
    assert.match(await page.title(), /clvkit/);
    assert.match(await page.locator(".promise").textContent(), /nothing you load ever leaves this device/);
    assert.equal(await page.locator("#choose-file").isEnabled(), true);
    assert.equal(await page.locator("#try-sample").isEnabled(), true);
    assert.match(await page.locator("#demo-status").textContent(), /Ready/);
    assert.equal(await page.locator("#dashboard").isVisible(), false);
    const worker = await fetch(origin + "/worker.js");
    assert.equal(worker.headers.get("content-security-policy"), WORKER_CSP);
    assert.match(WORKER_CSP, /connect-src 'none'/);
  });

  test("sample data: columns detected with a preview, then the dashboard shows the package's figures", async () => {
    await page.click("#try-sample");
    await waitForMapping();
    assert.equal(await page.locator("#mapping-title").evaluate((e) => e === document.activeElement), true, "focus moves to the step");
    const heads = await page.locator("#preview-table thead th").allTextContents();
    assert.ok(heads[0].startsWith("order_id") && heads[0].includes("Order id"), heads[0]);
    assert.ok(heads.some((t) => t.startsWith("customer_id") && t.includes("Customer")));
    assert.equal(await page.locator("#preview-table tbody tr").count(), 8);
    assert.equal(await page.locator("#role-customerId").inputValue(), "2");
    assert.match(await page.locator("#preview-report").textContent(), /0 rejected/);
    await analyseAndWait();
    const k = expected.sample.kpis;
    assert.equal(await kpi("revenue"), k.revenue);
    assert.equal(await kpi("customers"), String(k.customers));
    assert.equal(await kpi("averageOrderValue"), k.averageOrderValue);
    assert.equal(await kpi("historicalClv"), k.historicalClv);
    assert.equal(Number(await kpi("repeatPurchaseRate")), k.repeatPurchaseRate);
    assert.equal(Number(await kpi("retention")), k.meanRetentionRate);
    assert.deepEqual(await panelIds(), [
      "panel-kpis", "panel-predicted-clv", "panel-cohorts", "panel-rfm", "panel-lifecycle", "panel-p-alive", "panel-models",
      "panel-acquisition", "panel-cross-sell", "panel-upsell", "panel-offers", "panel-customers", "panel-quality",
    ]);
    assert.equal(await liveCharts(), 5, "RFM, lifecycle, predicted CLV and the two holdout charts");
    assert.ok((await page.locator("#panel-cohorts table.heatmap tbody tr").count()) >= 20, "a cohort a month");
    assert.equal(await page.locator("#panel-cohorts td.heat").first().textContent(), "100%");
    const segments = await page.locator("#panel-rfm tbody tr").count();
    assert.ok(segments >= 5, `${segments} segments`);
    // The calculators are pre-filled from the file.
    assert.equal(await page.inputValue("#simple-averageOrderValue"), k.averageOrderValue);
    assert.equal(await page.inputValue("#simple-purchaseFrequency"), k.purchaseFrequencyPerYear.toFixed(2));
    assert.equal(await page.inputValue("#ratio-clv"), k.historicalClv);
    assert.ok(await page.locator("#calc-prefill-note").isVisible());
  });

  test("acquisition: spend per channel gives CAC and CLV:CAC, in the KPI cards and the calculators", async () => {
    const channels = expected.sample.channels;
    const spend = channels.map((channel, i) => ({ channel, spend: String(2000 + 1000 * i) }));
    for (const s of spend) await page.fill(`#panel-acquisition input[data-channel="${s.channel}"]`, s.spend);
    await page.fill("#spend-margin", "45");
    await page.click("#panel-acquisition button[type=submit]");
    await page.waitForSelector('[data-kpi="cac"]');
    const acq = expected.sample.ds.acquisition({ spend, grossMarginPercent: "45" });
    assert.equal(await kpi("cac"), acq.blended.cac);
    const rows = await page.locator("#panel-acquisition tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [tr.dataset.channel, tr.cells[6].querySelector("[data-exact]")?.dataset.exact]),
    );
    assert.deepEqual(rows, acq.channels.map((c) => [c.channel, c.cac]));
    assert.equal(await liveCharts(), 6, "the CLV:CAC chart was added");
    assert.equal(await page.inputValue("#ratio-cac"), acq.blended.cac);
    assert.equal(await page.inputValue("#profit-grossMarginPercent"), "45");
    // A bad spend is reported next to its input.
    await page.fill(`#panel-acquisition input[data-channel="${channels[1]}"]`, "-5");
    await page.click("#panel-acquisition button[type=submit]");
    const bad = page.locator(`#panel-acquisition input[data-channel="${channels[1]}"]`);
    await page.waitForFunction((id) => document.getElementById(id).getAttribute("aria-invalid") === "true", await bad.getAttribute("id"));
    assert.ok(await page.locator(`#${await bad.getAttribute("id")}-error`).isVisible());
    await bad.fill(spend[1].spend);
  });

  test("models: the comparison, the best model's holdout curves, predicted CLV, P(alive) and the predictions CSV as the package computes them", async () => {
    const { validation, options, prediction } = expected.sample.models;
    assert.ok(prediction, `the sample's models fit: ${expected.sample.models.failure}`);
    const calibrationEnd = validateOptions(expected.sample.kpis).calibrationEnd;
    assert.equal(calibrationEnd, "2024-07-02", "75 % of 2023-01-01 … 2024-12-31");
    assert.match(await page.locator("#panel-models .panel-intro").textContent(), new RegExp(`first 75% of the file's span \\(up to ${calibrationEnd}\\)`));
    // The comparison: every model in the package's ranking order, the best one marked, its errors exact.
    const rows = await page.locator("#panel-models tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [tr.dataset.model, tr.dataset.best, ...[...tr.cells].slice(1, 5).map((td) => td.querySelector("data")?.getAttribute("value"))]),
    );
    assert.deepEqual(rows, validation.ranking.map((r) => [r.model, String(r.model === validation.best), String(r.logLikelihood), String(r.error.mae), String(r.error.rmse), String(r.error.totalError)]));
    const best = validation.ranking.find((r) => r.model === validation.best);
    assert.equal(await page.locator('#panel-models tr[data-best="true"] td:nth-child(4) data').getAttribute("value"), String(best.error.rmse));
    assert.match(await page.locator('#panel-models tr[data-best="true"] th').textContent(), /\(best\)/);
    // The holdout plots: the best model's tracking (from 0 at the calibration end) and buckets.
    const tracking = validation.validations.find((v) => v.model === validation.best).tracking;
    const curves = await page.evaluate(() => {
      const data = (id) => Object.values(window.Chart.instances).find((c) => c.canvas.id === `${id}-canvas`).data;
      return { tracking: data("holdout-tracking"), buckets: data("holdout-buckets") };
    });
    assert.equal(curves.tracking.labels[0], calibrationEnd);
    assert.deepEqual(curves.tracking.datasets.map((d) => d.data), [[0, ...tracking.actual], [0, ...tracking.predicted]]);
    const buckets = validation.validations.find((v) => v.model === validation.best).buckets;
    assert.deepEqual(curves.buckets.datasets.map((d) => d.data), [buckets.actual, buckets.predicted]);
    // Predicted CLV on the sample's margin: the average equals the package's.
    assert.equal(options.grossMarginPercent, grossMarginPercent(SAMPLE));
    assert.match(await page.locator("#panel-predicted-clv .panel-intro").textContent(), new RegExp(`on margin: ${options.grossMarginPercent}% gross margin`));
    const clv = prediction.customers.clv;
    const average = clv.reduce((s, v) => s + v, 0) / clv.length;
    assert.equal(await kpi("predictedClv"), average.toFixed(2));
    assert.equal(await kpi("historicalClvCompared"), expected.sample.kpis.historicalClv);
    const histogram = await page.evaluate(() => Object.values(window.Chart.instances).find((c) => c.canvas.id === "predicted-clv-canvas").data.datasets[0].data);
    assert.equal(histogram.reduce((s, n) => s + n, 0), clv.length, "every customer is in the histogram");
    // P(alive) matrix: every customer in exactly one cell; cell means from the package's P(alive).
    const cells = await page.locator("#panel-p-alive tbody td").evaluateAll((tds) => tds.map((td) => [Number(td.dataset.customers), td.dataset.pAlive === undefined ? null : Number(td.dataset.pAlive)]));
    assert.equal(cells.reduce((s, [n]) => s + n, 0), expected.sample.kpis.customers);
    const pAlive = prediction.customers.pAlive;
    const weighted = cells.reduce((s, [n, mean]) => s + (n ? n * mean : 0), 0);
    assert.ok(Math.abs(weighted / clv.length - pAlive.reduce((s, v) => s + v, 0) / pAlive.length) < 1e-9, "the cells' means average to the customers' mean P(alive)");
    // The drill-down: the customer's outlook from the worker.
    const opener = page.locator("#panel-customers tbody [data-customer]").first();
    const id = await opener.textContent();
    await opener.click();
    await page.waitForSelector('dialog#customer-dialog[open] [data-key="pAlive"]');
    const j = prediction.customers.customerId.indexOf(id);
    assert.ok(j >= 0, `${id} has a prediction`);
    assert.equal(await exactOf('#customer-dialog [data-key="pAlive"] dd'), String(pAlive[j]));
    assert.equal(await exactOf('#customer-dialog [data-key="predictedClv"] dd'), clv[j].toFixed(2));
    assert.equal(await exactOf('#customer-dialog [data-key="expectedPurchases"] dd'), String(prediction.customers.expectedPurchases[j]));
    assert.equal(await page.locator('#customer-dialog [data-key="churnRisk"] dd').textContent(), prediction.customers.churnRisk[j]);
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog#customer-dialog:not([open])", { state: "attached" });
    // Every customer's predictions, as the library writes them.
    const [csv] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.click('#panel-predicted-clv [data-csv="predictions"]')]);
    assert.equal(csv.suggestedFilename(), "clvkit-predictions.csv");
    assert.equal(readFileSync(await csv.path(), "utf8"), expected.sample.ds.predictCsv(options));
  });

  test("customers: sort, search, paginate and drill down", async () => {
    const revenues = async () => page.locator("#panel-customers tbody tr td:nth-child(2) [data-exact]").evaluateAll((els) => els.map((e) => Number(e.dataset.exact)));
    let r = await revenues();
    assert.equal(r.length, 25);
    assert.deepEqual(r, [...r].sort((a, b) => b - a), "revenue, highest first");
    const table = expected.sample.ds.customers();
    const top = Math.max(...table.revenue.map(Number));
    assert.equal(r[0], top);
    await page.click('#panel-customers button[data-sort="revenue"]');
    await page.waitForSelector('#panel-customers th[data-sort="revenue"][aria-sort="ascending"]');
    r = await revenues();
    assert.deepEqual(r, [...r].sort((a, b) => a - b), "lowest first");
    await page.click("#customers-next");
    await page.waitForFunction(() => /^26–50 of/.test(document.getElementById("customer-pager-status").textContent));
    assert.equal(await page.locator("#customers-prev").isEnabled(), true);
    await page.fill("#customer-search", "C0001");
    await page.waitForFunction(() => /matching/.test(document.getElementById("customer-pager-status").textContent));
    const ids = await page.locator("#panel-customers tbody [data-customer]").allTextContents();
    assert.equal(ids.length, table.customerId.filter((id) => id.includes("C0001")).length);
    assert.ok(ids.every((id) => id.includes("C0001")));
    const opener = page.locator("#panel-customers tbody [data-customer]").first();
    const id = await opener.textContent();
    await opener.click();
    await page.waitForSelector("dialog#customer-dialog[open]");
    assert.equal(await page.locator("#customer-dialog-title").textContent(), `Customer ${id}`);
    const i = table.customerId.indexOf(id);
    assert.equal(await exactOf('#customer-dialog [data-key="revenue"] dd'), table.revenue[i]);
    assert.equal(await exactOf('#customer-dialog [data-key="orders"] dd'), String(table.orders[i]));
    assert.notEqual(await page.locator('#customer-dialog [data-key="segment"] dd').textContent(), "n/a");
    assert.notEqual(await page.locator('#customer-dialog [data-key="stage"] dd').textContent(), "n/a");
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog#customer-dialog:not([open])", { state: "attached" });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.customer), id, "focus returns to the customer");
    await page.fill("#customer-search", "");
    await page.waitForFunction(() => !/matching/.test(document.getElementById("customer-pager-status").textContent));
  });

  test("cross-sell rules: the package's rules, sorted and filtered as asked, exported as CSV", async () => {
    const { rules } = expected.sample.ds.rules(RULES_OPTIONS);
    const n = rules.lift.length;
    assert.ok(n > 20, `${n} rules: more than a page`);
    const rule = (i) => `${rules.antecedents[i]} → ${rules.consequents[i]}`;
    // As the package computes them: the count, best lift first.
    assert.equal(await statusOf("rules", /of/), `1–20 of ${n} rules`);
    assert.equal(await page.locator('#rules th[data-sort="lift"]').getAttribute("aria-sort"), "descending");
    const heads = await rowHeads("#rules");
    assert.equal(heads[0], rule(0));
    assert.deepEqual(heads, [...Array(20).keys()].map(rule));
    assert.deepEqual(await columnValues("#rules", 4), [...rules.lift.subarray(0, 20)].map(String));
    assert.deepEqual(await columnValues("#rules", 2), [...rules.support.subarray(0, 20)].map(String));
    // Sorting: by confidence, highest then lowest first.
    await page.click('#rules button[data-sort="confidence"]');
    await page.waitForSelector('#rules th[data-sort="confidence"][aria-sort="descending"]');
    let order = orderBy(rules.confidence, true).slice(0, 20);
    await page.waitForFunction((first) => document.querySelector("#rules tbody th")?.textContent === first, rule(order[0]));
    assert.deepEqual(await rowHeads("#rules"), order.map(rule));
    assert.deepEqual(await columnValues("#rules", 3), order.map((i) => String(rules.confidence[i])));
    await page.click('#rules button[data-sort="confidence"]');
    await page.waitForSelector('#rules th[data-sort="confidence"][aria-sort="ascending"]');
    order = orderBy(rules.confidence, false).slice(0, 20);
    await page.waitForFunction((first) => document.querySelector("#rules tbody th")?.textContent === first, rule(order[0]));
    assert.deepEqual(await rowHeads("#rules"), order.map(rule));
    await page.click("#rules-next");
    assert.equal(await statusOf("rules", /^21–/), `21–40 of ${n} rules`);
    // Filtering: thresholds, then a text filter on the items.
    const minLift = 1.4;
    const minConfidence = 15;
    const passes = (i) => rules.lift[i] >= minLift && rules.confidence[i] >= minConfidence / 100;
    await page.fill("#rules-minLift", String(minLift));
    await page.fill("#rules-minConfidence", String(minConfidence));
    const kept = orderBy(rules.confidence, false, passes);
    assert.ok(kept.length > 0 && kept.length < n, `${kept.length} rules pass`);
    assert.equal(await statusOf("rules", new RegExp(`^1–${Math.min(20, kept.length)} of ${kept.length} rule`)), `1–${Math.min(20, kept.length)} of ${kept.length} ${kept.length === 1 ? "rule" : "rules"}`);
    assert.deepEqual(await rowHeads("#rules"), kept.slice(0, 20).map(rule));
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click('#rules [data-csv="rules"]')]);
    assert.equal(csv.suggestedFilename(), "clvkit-rules.csv");
    const filters = [{ metric: "confidence", min: minConfidence / 100 }, { metric: "lift", min: minLift }];
    const rulesCsv = expected.sample.ds.rulesCsv({ ...RULES_OPTIONS, filters, sortBy: "confidence" });
    assert.equal(readFileSync(await csv.path(), "utf8"), rulesCsv);
    assert.equal(rulesCsv.trim().split("\n").length - 1, kept.length, "the CSV has the rules the table shows");
    const needle = "GR-";
    const matching = kept.filter((i) => rule(i).toLowerCase().includes(needle.toLowerCase()));
    await page.fill("#rules-search", needle.toLowerCase());
    await statusOf("rules", new RegExp(`of ${matching.length} rule|No rule`));
    assert.deepEqual(await rowHeads("#rules"), matching.slice(0, 20).map(rule));
    await page.fill("#rules-search", "no such item");
    assert.equal(await statusOf("rules", /No rule/), "No rule matches these filters.");
    for (const id of ["#rules-search", "#rules-minLift", "#rules-minConfidence"]) await page.fill(id, "");
    assert.equal(await statusOf("rules", new RegExp(`of ${n} rules`)), `1–20 of ${n} rules`);
  });

  test("cross-sell: also bought, upsell paths and offers per segment as the package computes them", async () => {
    const ds = expected.sample.ds;
    // "Customers who bought X also bought Y": strongest link (log-likelihood ratio) first.
    const { pairs } = ds.similarity(SIMILARITY_OPTIONS);
    assert.equal(await statusOf("pairs", /of/), `1–10 of ${pairs.itemId.length.toLocaleString()} pairs`);
    const strongest = orderBy(pairs.llr, true).slice(0, 10);
    assert.deepEqual(await page.locator("#pairs tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])), strongest.map((i) => [pairs.itemId[i], pairs.otherId[i]]));
    assert.deepEqual(await columnValues("#pairs", 3), strongest.map((i) => String(pairs.alsoBought[i])));
    // Upsell paths: most movers first, prices exact.
    const { paths } = ds.upsell(UPSELL_OPTIONS);
    assert.equal(await statusOf("upsell", /of/), `1–20 of ${paths.itemId.length} paths`);
    const most = orderBy(paths.movers, true).slice(0, 20);
    assert.deepEqual(await page.locator("#upsell tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent, tr.cells[2].textContent])), most.map((i) => [paths.itemId[i], paths.targetId[i], paths.category[i]]));
    assert.deepEqual(await columnValues("#upsell", 4), most.map((i) => paths.itemPrice[i]));
    assert.deepEqual(await columnValues("#upsell", 8), most.map((i) => paths.medianStep[i]));
    assert.equal(await page.locator("#upsell tbody tr td:nth-child(8)").first().textContent(), new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(paths.medianStep[most[0]]));
    await page.click('#upsell button[data-sort="medianStep"]');
    await page.waitForSelector('#upsell th[data-sort="medianStep"][aria-sort="descending"]');
    const steps = orderBy(Float64Array.from(paths.medianStep, Number), true).slice(0, 20);
    await page.waitForFunction((first) => document.querySelector("#upsell tbody th")?.textContent === first, paths.itemId[steps[0]]);
    assert.deepEqual(await columnValues("#upsell", 8), steps.map((i) => paths.medianStep[i]));
    const [upsellCsv] = await Promise.all([page.waitForEvent("download"), page.click('#upsell [data-csv="upsell"]')]);
    const lines = readFileSync(await upsellCsv.path(), "utf8").trim().split("\n");
    assert.equal(lines[0], "item_id,target_id,category,rank,item_price,target_price,movers,item_buyers,rate,median_step");
    assert.equal(lines.length - 1, paths.itemId.length);
    assert.equal(lines[1], [paths.itemId[0], paths.targetId[0], paths.category[0], paths.rank[0], paths.itemPrice[0], paths.targetPrice[0], paths.movers[0], paths.itemBuyers[0], paths.rate[0], paths.medianStep[0]].join(","));
    // Offers per segment, valued at the sample's margins.
    // Offers valued at the sample's margins and weighed by the best model's P(alive).
    const offerOptions = offersOptions(sampleMargins(), expected.sample.models.validation.best);
    assert.equal(offerOptions.model, expected.sample.models.validation.best);
    const offers = ds.offers(offerOptions);
    assert.ok(offers.offers.pAlive.some((p) => p < 1), "offers are weighed by P(alive)");
    assert.match(await page.locator("#panel-offers .panel-intro").textContent(), /valued at margin per unit/);
    assert.match(await page.locator("#panel-offers .panel-intro").textContent(), /P\(alive\) from [A-Za-z/]+ \(the best model on the holdout period\)/);
    const segments = offers.segments.filter((s) => s.customers > 0).sort((a, b) => b.expectedValue - a.expectedValue);
    const shown = await page.locator("#panel-offers tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [tr.dataset.segment, ...[1, 2, 3].map((c) => tr.cells[c].querySelector("data").getAttribute("value")), [...tr.querySelectorAll("li")].map((li) => li.dataset.item)]),
    );
    assert.deepEqual(shown, segments.map((s) => [s.segment, String(s.customers), String(s.customersWithOffers), s.expectedValue.toFixed(2), s.topOffers.map((o) => o.itemId)]));
    const [offersCsv] = await Promise.all([page.waitForEvent("download"), page.click('#panel-offers [data-csv="offers"]')]);
    assert.equal(offersCsv.suggestedFilename(), "clvkit-offers.csv");
    assert.equal(readFileSync(await offersCsv.path(), "utf8"), ds.offersCsv(offerOptions));
    // The drill-down: the customer's offers with the reason and expected value of each.
    const opener = page.locator("#panel-customers tbody [data-customer]").first();
    const id = await opener.textContent();
    await opener.click();
    await page.waitForSelector('dialog#customer-dialog[open] [data-key="offer-1"]');
    const mine = [...offers.offers.customerId.keys()].filter((i) => offers.offers.customerId[i] === id);
    assert.ok(mine.length > 0, `${id} has offers`);
    const rows = await page.locator('#customer-dialog [data-key^="offer-"]').evaluateAll((els) =>
      els.map((e) => [e.querySelector("dt").textContent, e.querySelector("dd data").getAttribute("value"), e.querySelector(".offer-reason").textContent]),
    );
    assert.deepEqual(rows, mine.map((i) => [`${offers.offers.rank[i]}. ${offers.offers.itemId[i]}`, offers.offers.expectedValue[i].toFixed(2), offers.offers.reason[i]]));
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog#customer-dialog:not([open])", { state: "attached" });
  });

  test("exports: the library's formula-safe CSV, charts as PNG", async () => {
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click('[data-export="customers"]')]);
    assert.equal(csv.suggestedFilename(), "clvkit-customers.csv");
    assert.equal(readFileSync(await csv.path(), "utf8"), expected.sample.customersCsv);
    const [rfm] = await Promise.all([page.waitForEvent("download"), page.click('[data-export="rfm"]')]);
    assert.equal(readFileSync(await rfm.path(), "utf8"), expected.sample.ds.rfmCsv());
    const [png] = await Promise.all([page.waitForEvent("download"), page.click('#panel-rfm [data-png="rfm"]')]);
    assert.equal(png.suggestedFilename(), "clvkit-rfm.png");
    const bytes = readFileSync(await png.path());
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(bytes.length > 2000, "a drawn chart, not an empty image");
  });

  test("a file with products but no costs: offers valued at price, ∞ conviction", async () => {
    await dropFile("camera.csv", CAMERA_CSV.join("\n"));
    await waitForMapping();
    await analyseAndWait();
    const ds = expected.camera.ds;
    const { rules } = ds.rules(RULES_OPTIONS);
    const infinite = [...rules.conviction.keys()].filter((i) => rules.conviction[i] === Infinity);
    assert.ok(infinite.length > 0, "the camera shop has a rule that never fails");
    const n = rules.lift.length;
    assert.equal(await statusOf("rules", /of/), `1–${Math.min(20, n)} of ${n} ${n === 1 ? "rule" : "rules"}`);
    await page.fill("#rules-search", "bag");
    await statusOf("rules", /rule/);
    const convictions = await page.locator("#rules tbody tr td:nth-child(5)").allTextContents();
    const values = await columnValues("#rules", 5);
    const bagRules = [...rules.lift.keys()].filter((i) => `${rules.antecedents[i]} ${rules.consequents[i]}`.includes("BAG"));
    assert.deepEqual(values, bagRules.map((i) => String(rules.conviction[i])));
    assert.ok(convictions.includes("∞"), convictions.join(" "));
    assert.match(await page.locator("#panel-offers .panel-intro").textContent(), /valued at each product's median price/);
    assert.ok(expected.camera.models.failure, "no model fits the camera shop (no repeat purchase before the calibration end)");
    assert.match(await page.locator("#panel-offers .panel-intro").textContent(), /P\(alive\) taken as 1/);
    const offers = ds.offers(offersOptions());
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click('#panel-offers [data-csv="offers"]')]);
    assert.equal(readFileSync(await csv.path(), "utf8"), ds.offersCsv(offersOptions()));
    assert.ok(offers.offers.value.includes("900.00"), "the pro camera is offered at its price");
  });

  test("a product column with nothing to mine: the dashboard without cross-sell, and why", async () => {
    const csv = "order_id,customer_id,date,product_id,quantity,unit_price,status\n1,a,2024-01-01,X,1,10,cancelled\n2,b,2024-01-02,,1,5,completed\n3,a,2024-02-03,,2,5,completed\n";
    const ds = await ingest(csv);
    const why = (() => {
      try {
        ds.rules(RULES_OPTIONS);
      } catch (e) {
        return e.message;
      } finally {
        ds.free();
      }
    })();
    assert.ok(why, "the package finds no basket to mine");
    await dropFile("no-baskets.csv", csv);
    await waitForMapping();
    await analyseAndWait();
    const ids = await panelIds();
    assert.ok(ids.includes("panel-customers") && !ids.some((id) => ["panel-cross-sell", "panel-upsell", "panel-offers"].includes(id)), String(ids));
    const quality = await page.locator("#panel-quality").textContent();
    assert.ok(quality.includes(`No cross-sell panels: ${why}.`), quality);
    // Nobody bought twice: no model can be fitted, so no model panel, and the file panel says why.
    const models = await analyseInNode(csv);
    models.ds.free();
    assert.ok(models.models.failure, "the package cannot fit a model");
    assert.ok(!ids.some((id) => ["panel-predicted-clv", "panel-p-alive", "panel-models"].includes(id)), String(ids));
    assert.equal(await page.locator('#panel-quality [data-note="models"]').textContent(), `No predictions (predicted CLV, P(alive), model comparison): ${models.models.failure}.`);
  });

  test("a user's file (drag and drop): row errors with line numbers, mapping overrides, locale; it replaces the sample cleanly", async () => {
    await dropFile("bestellungen.csv", USER_CSV);
    await waitForMapping();
    // Nothing recognised: the page says so and waits for the columns to be chosen.
    assert.match(await page.locator("#preview-report").textContent(), /MISSING_COLUMN/);
    assert.equal(await page.locator("#analyse").isDisabled(), true);
    assert.deepEqual(await page.locator("#preview-table thead th").allTextContents(), ["Bestellnr", "Kunde", "Datum", "Betrag", "Kanal"]);
    for (const [role, index] of Object.entries(USER_MAPPING)) {
      await page.selectOption(`#role-${role}`, String(index));
      await waitForMapping();
    }
    await page.waitForFunction(() => !document.getElementById("analyse").disabled);
    const report = page.locator("#preview-report");
    assert.match(await report.textContent(), /11 rows read, 9 accepted, 2 rejected/);
    assert.match(await report.locator('[data-line="6"]').textContent(), /^Line 6, column 3 \(Datum\)/);
    assert.equal(await report.locator('[data-line="6"]').getAttribute("data-code"), "INVALID_DATE");
    assert.match(await report.locator('[data-line="11"]').textContent(), /^Line 11, column 4 \(Betrag\)/);
    assert.match(await page.locator("#detected").textContent(), /semicolon-separated, dates day\/month\/year, decimal comma/);
    // Saying so explicitly gives the same reading.
    await page.selectOption("#opt-dateFormat", "dmy");
    await waitForMapping();
    await page.selectOption("#opt-decimalSeparator", "comma");
    await waitForMapping();
    await page.waitForFunction(() => !document.getElementById("analyse").disabled);
    await analyseAndWait();
    const k = expected.user.kpis;
    assert.equal(k.customers, 6);
    assert.equal(await kpi("customers"), "6");
    assert.equal(await kpi("revenue"), k.revenue);
    assert.equal(k.revenue, "4554.99");
    assert.equal(await page.locator('[data-kpi="cac"]').count(), 0, "the sample's spend is gone");
    assert.match(await page.locator("#dashboard-meta").textContent(), /bestellungen\.csv/);
    assert.deepEqual(
      await page.locator("#panel-acquisition tbody tr").evaluateAll((trs) => trs.map((tr) => tr.dataset.channel)),
      expected.user.channels,
    );
    assert.equal(await page.locator("#panels").count(), 1);
    assert.equal(await page.locator("#panels > section.panel").count(), (await panelIds()).length);
    assert.ok(expected.user.models.prediction, `the models fit the user's file: ${expected.user.models.failure}`);
    assert.equal(await liveCharts(), 5, "the previous file's charts were destroyed");
    const ids = await panelIds();
    assert.ok(!ids.some((id) => ["panel-cross-sell", "panel-upsell", "panel-offers"].includes(id)), `no product column, no cross-sell panels: ${ids}`);
    assert.match(await page.locator("#panel-quality").textContent(), /Line 6, column 3/);
    assert.equal(await page.locator("#panel-customers tbody tr").count(), 6);
  });

  test("cancel: a large file stops and the dashboard keeps the previous file", async () => {
    // The sample's rows 60 times over (about 60 MB), built in the page.
    const transfer = await page.evaluateHandle((text) => {
      const cut = text.indexOf("\n") + 1;
      const dt = new DataTransfer();
      dt.items.add(new File([text.slice(0, cut), ...Array(60).fill(text.slice(cut))], "big.csv", { type: "text/csv" }));
      return dt;
    }, SAMPLE);
    await page.dispatchEvent("#dropzone", "drop", { dataTransfer: transfer });
    await waitForMapping();
    await page.click("#analyse");
    await page.waitForFunction(() => document.getElementById("progress").value > 0, null, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => document.activeElement.id), "cancel", "focus is on Cancel");
    await page.click("#cancel");
    await page.waitForFunction(() => /Cancelled/.test(document.getElementById("demo-status").textContent), null, { timeout: 20_000 });
    assert.match(await page.locator("#demo-status").textContent(), /previous file/);
    assert.equal(await page.locator("#analysis-progress").isVisible(), false);
    assert.match(await page.locator("#dashboard-meta").textContent(), /bestellungen\.csv/);
    assert.equal(await kpi("customers"), "6");
  });

  test("100k rows: the main thread stays responsive (long tasks reported)", async (t) => {
    assert.ok(await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes("longtask")), "long tasks are observable");
    const big = benchDataset({ rows: 100_000, log: (m) => t.diagnostic(m) });
    await page.setInputFiles("#file", big.path);
    await waitForMapping();
    const start = await page.evaluate(() => performance.now());
    await analyseAndWait();
    await page.waitForTimeout(300); // anything late after the dashboard is complete
    const tasks = await page.evaluate((from) => window.__longTasks.filter((e) => e.start >= from), start);
    const marks = await page.evaluate((from) => performance.getEntriesByType("mark").filter((m) => m.startTime >= from).map((m) => m.name), start);
    assert.deepEqual(marks, ["clvkit:analyse-start", "clvkit:analysed", "clvkit:dashboard-complete"], "the flow's marks, in order");
    const total = await page.evaluate((from) => performance.getEntriesByName("clvkit:dashboard-complete").at(-1).startTime - from, start);
    const longest = Math.max(0, ...tasks.map((e) => e.duration));
    const report = `100k rows (${(big.bytes / 1e6).toFixed(1)} MB) analysed; ${Math.round(total)} ms from click to full dashboard; ` +
      `${tasks.length} main-thread long tasks, longest ${Math.round(longest)} ms, total ${Math.round(tasks.reduce((s, e) => s + e.duration, 0))} ms`;
    t.diagnostic(report);
    console.log(`# ${report}`);
    writeFileSync(path.join(ARTIFACTS, "longtasks.json"), JSON.stringify({ rows: 100_000, bytes: big.bytes, totalMs: total, tasks }, null, 2));
    assert.ok(longest < 200, report);
    assert.equal(await kpi("customers"), String(await customersInNode(big.path)));
  });

  test("keyboard: sample, analyse and a customer, without a mouse", async () => {
    await page.focus(".skip-link"); // where a keyboard user starts
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.id === "try-sample");
    }
    assert.ok(reached, "Tab reaches Try sample data");
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), "none", "focus is visible");
    await page.keyboard.press("Enter");
    await waitForMapping();
    reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.id === "analyse");
    }
    assert.ok(reached, "Tab reaches Analyse");
    const before = await page.locator("#demo-status").textContent();
    await page.keyboard.press("Enter");
    await page.waitForFunction((old) => document.getElementById("demo-status").textContent !== old && /analysed in/.test(document.getElementById("demo-status").textContent), before, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), "dashboard-title");
    reached = false;
    let sorted = false;
    for (let i = 0; i < 300 && !reached; i++) {
      await page.keyboard.press("Tab");
      if (!sorted && (await page.evaluate(() => document.activeElement?.matches('#rules button[data-sort="confidence"]')))) {
        await page.keyboard.press("Enter");
        await page.waitForSelector('#rules th[data-sort="confidence"][aria-sort="descending"]');
        sorted = true;
      }
      reached = await page.evaluate(() => Boolean(document.activeElement?.dataset.customer));
    }
    assert.ok(sorted, "Tab reaches the rules' sort buttons and Enter sorts");
    assert.ok(reached, "Tab reaches the customers table");
    await page.keyboard.press("Enter");
    await page.waitForSelector("dialog#customer-dialog[open]");
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog#customer-dialog:not([open])", { state: "attached" });
    assert.equal(await kpi("customers"), String(expected.sample.kpis.customers));
  });

  test("accessibility: axe finds no serious or critical violations, light and dark, each step", async () => {
    await page.evaluate(AXE_SOURCE);
    const scan = async (what) => {
      const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")})`), [], what);
    };
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      await scan(`dashboard, ${scheme}`);
    }
    await page.locator("#panel-customers tbody [data-customer]").first().click();
    await page.waitForSelector("dialog#customer-dialog[open]");
    await scan("customer dialog, dark");
    await page.screenshot({ path: path.join(ARTIFACTS, "demo-dark-dialog.png") });
    await page.keyboard.press("Escape");
    await page.emulateMedia({ colorScheme: "light" });
    await dropFile("bestellungen.csv", USER_CSV);
    await waitForMapping();
    await scan("mapping step with an error");
  });

  test("phone width: no horizontal scrolling on the dashboard", async () => {
    await page.click("#try-sample");
    await waitForMapping();
    await analyseAndWait();
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page overflows by ${overflow}px at 360px`);
    await page.screenshot({ path: path.join(ARTIFACTS, "demo-phone.png"), fullPage: false });
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  test("privacy: no request after the initial load, no CSP violation, and neither the page nor its worker can connect", async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS, "demo.png"), fullPage: true });
    await page.locator("#dashboard").screenshot({ path: path.join(ARTIFACTS, "demo-dashboard.png") });
    // The README's picture (docs/demo.png is a copy): the top of the dashboard.
    await page.setViewportSize({ width: 1000, height: 720 });
    await page.evaluate(() => document.getElementById("dashboard").scrollIntoView());
    await page.screenshot({ path: path.join(ARTIFACTS, "demo-readme.png") });
    await page.setViewportSize({ width: 1200, height: 900 });
    const after = requests.filter(([t, url]) => t > loadedAt && /^https?:/.test(url)).map(([, url]) => url);
    assert.deepEqual(after, [], "requests after the initial load");
    assert.ok(requests.every(([, url]) => !/^https?:/.test(url) || new URL(url).origin === origin), "every request went to the page's origin");
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(consoleErrors, []);
    // The page forbade itself connections once loaded, and the worker was never allowed any.
    const pageFetch = await page.evaluate(() => fetch("/favicon.svg").then(() => "connected", (e) => e.name));
    assert.equal(pageFetch, "TypeError");
    assert.deepEqual((await page.evaluate(() => window.__cspViolations)).map((v) => v.directive), ["connect-src"]);
    const [worker] = page.workers();
    assert.ok(worker, "the analysis worker runs");
    assert.equal(await worker.evaluate(() => fetch("/favicon.svg").then(() => "connected", (e) => e.name)), "TypeError");
    assert.deepEqual(requests.filter(([t, url]) => t > loadedAt && /^https?:/.test(url)), [], "the blocked attempts never left the browser");
  });
});

/** Customers in a file on disk, as the package's KPIs count them. */
async function customersInNode(file) {
  const ds = await ingest(readFileSync(file));
  try {
    return ds.kpis().customers;
  } finally {
    ds.free();
  }
}

test("dist/site: a complete static copy whose every relative import resolves", () => {
  const site = path.join(ROOT, "dist/site");
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else files.push(path.relative(site, p));
    }
  };
  walk(site);
  for (const f of ["index.html", "worker.js", "app.js", "clvkit/js/index.js", "clvkit/dist/wasm/clvkit_bg.wasm", "vendor/chart.umd.min.js", "sample/orders.csv", "_headers"]) {
    assert.ok(files.includes(f), `${f} in dist/site`);
  }
  assert.ok(!files.some((f) => /cli\.js$|node\.js$|\.d\.ts$/.test(f)), "no Node-only files");
  for (const f of files.filter((f) => f.endsWith(".js") && !f.startsWith("vendor/"))) {
    const source = readFileSync(path.join(site, f), "utf8");
    for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = path.normalize(path.join(path.dirname(f), spec));
      assert.ok(files.includes(target), `${f} imports ${spec}, missing from dist/site`);
    }
  }
  const html = readFileSync(path.join(site, "index.html"), "utf8");
  for (const [, src] of html.matchAll(/(?:src|href)="([^"#:]+)"/g)) assert.ok(files.includes(src), `index.html links ${src}`);
});
