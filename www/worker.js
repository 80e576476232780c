// The demo's analysis worker (a module worker): it holds the ingested Dataset in its own wasm
// instance, so parsing a large file and every per-customer computation stay off the page's
// main thread. The page sends only requests and receives small results (aggregates, one page of
// customers, one customer); bulk bytes (CSV exports) cross as transferred ArrayBuffers.
//
// Protocol (see www/demo/worker-client.js for the page's side):
//   page → worker  { id, type, ...payload }        one request; type is a key of HANDLERS
//                  { id, type: "cancel" }           aborts request `id` (its AbortSignal fires)
//   worker → page  { id, type: "progress", progress }          zero or more, while it runs
//                  { id, type: "done", result }                 its answer (typed arrays transferred)
//                  { id, type: "error", error: { code, message, field, line, column } }
// Cross-sell: "rules", "similarity" and "upsell" answer one page of their table (sort, text filter;
// rules also take minimum support, confidence and lift), "offers" one customer's offers or the
// per-segment summary, and "exportCsv" also writes rules, similarity, upsell and offers CSVs.
// Models: "analyse" also validates the transaction models on a holdout period and predicts with the
// best one (buildModels); the per-customer predictions stay here, joined to the customer table, and
// the page gets summaries (comparison, holdout curves, CLV histogram, P(alive) matrix), one
// customer's outlook ("customer") and the predictions CSV ("exportCsv", kind "predictions").
// "analyse" with crossSell: false leaves the cross-sell out and reports the best model early (a
// "best-model" progress); the page's opt-in two-worker mode (www/demo/main.js, ?workers=2) then has
// a second instance of this worker run "crossSell" on the same file at the same time, passing the
// model on with "bestModel", and sends it the cross-sell requests.
// Handlers get (payload, { progress, signal }) and may use `state.dataset` and the joined
// per-customer columns in `state.customers`. The "analyse" result carries `timings`: the
// milliseconds of each phase (ingest, summaries, validateModels, predict, rules, similarity, upsell,
// offers, and the JS around them) and the wasm memory's size after it (wasmMemoryBytes), for the
// benchmarks (bench/suites/browser.mjs).
//
// This worker is served with `connect-src 'none'`: it cannot make a network request. The wasm
// arrives compiled from the page (a WebAssembly.Module) and the sample is generated here.

import init, { ingest, version } from "./clvkit/js/index.js";
// The glue's initSync returns the instance's exports once initialised: its `memory` is reported.
import { initSync as wasmExports } from "./clvkit/dist/wasm/clvkit.js";
import { sampleMargins, sampleOrdersCsv } from "./sample/generate.js";
import { csvRecords } from "./csv-records.js";
import { RULES_OPTIONS, SIMILARITY_OPTIONS, UPSELL_OPTIONS, offersOptions } from "./cross-sell-options.js";
import { grossMarginPercent, predictOptions, validateOptions, HORIZON_MONTHS, MODEL_UNIT } from "./model-options.js";

/** Bytes read for the mapping preview: enough for a few thousand rows, instant to parse. */
const PREVIEW_BYTES = 256 * 1024;
/** Rows of the file shown raw in the mapping step. */
const PREVIEW_ROWS = 8;

const state = {
  /** The file being mapped or analysed: a File, or a Blob of the generated sample. */
  source: null,
  name: "",
  /** Margin per unit by product id when the file's costs are known (the sample's), else null. */
  margins: null,
  /** The analysed Dataset (wasm memory) and what the customer table queries need. */
  dataset: null,
  customers: null,
  order: new Map(),
  /** The analysed file's cross-sell tables (buildCrossSell), null without a product column. */
  crossSell: null,
  /** The sample's gross margin percent (from its unit costs), null for a file without costs. */
  marginPercent: null,
  /** The analysed file's predictions (buildModels), null when no model could be fitted. */
  models: null,
  /** Resolves the offers' model while a "crossSell" request waits for it. */
  bestModel: null,
  controllers: new Map(),
};

/** Milliseconds per phase: `time(phase)` adds the time since the previous call (or the start). */
function phaseTimer() {
  const timings = {};
  let lap = performance.now();
  const time = (phase) => {
    const now = performance.now();
    timings[phase] = (timings[phase] ?? 0) + (now - lap);
    lap = now;
  };
  return { timings, time };
}

function setSource(source) {
  if (!source) {
    if (!state.source) throw Object.assign(new Error("Choose a file first."), { code: "NO_FILE" });
    return state.source;
  }
  if (source.sample) {
    const csv = sampleOrdersCsv();
    state.source = new Blob([csv], { type: "text/csv" });
    state.name = "orders.csv (sample)";
    state.margins = sampleMargins();
    state.marginPercent = grossMarginPercent(csv);
  } else {
    state.source = source.file;
    state.name = source.file.name || "file";
    state.margins = null;
    state.marginPercent = null;
  }
  return state.source;
}

const DELIMITERS = { comma: ",", semicolon: ";", tab: "\t", pipe: "|" };

/** The delimiter clvkit used or was told, else the most frequent candidate in the first line. */
function delimiterOf(report, options, text) {
  const named = report?.delimiter ?? options.delimiter;
  if (named) return DELIMITERS[named] ?? named;
  const line = text.slice(0, text.search(/\r|\n|$/));
  return [",", ";", "\t", "|"].reduce((best, d) => (line.split(d).length > line.split(best).length ? d : best), ",");
}

function errorOf(e) {
  return {
    code: e?.code ?? "INTERNAL",
    message: e?.message ?? String(e),
    field: e?.field ?? null,
    line: e?.line ?? null,
    column: e?.column ?? null,
  };
}

/** The ArrayBuffers of the typed arrays in `value` (a few levels deep), to transfer rather than copy. */
function transferables(value, depth = 0, found = new Set()) {
  if (ArrayBuffer.isView(value)) found.add(value.buffer);
  else if (value && typeof value === "object" && depth < 4) for (const v of Object.values(value)) transferables(v, depth + 1, found);
  return [...found];
}

/**
 * For each of `keys`, its index in `ids` (-1 when absent). The library's per-customer tables list
 * the same customers in the same order, so this is checked first and costs one pass; a Map (about
 * 0.4 s for 200,000 customers) only when they differ.
 */
function rowsOf(keys, ids) {
  const n = keys.length;
  if (ids.length === n) {
    let i = 0;
    while (i < n && keys[i] === ids[i]) i++;
    if (i === n) {
      const rows = new Int32Array(n);
      for (let k = 0; k < n; k++) rows[k] = k;
      return rows;
    }
  }
  const at = new Map(ids.map((id, i) => [id, i]));
  return Int32Array.from(keys, (id) => at.get(id) ?? -1);
}

/** Per-customer columns joined across customers(), rfm() and lifecycle(), for the table and drill-down. */
function buildCustomers(table, rfm, life) {
  const n = table.customerId.length;
  const rfmRow = rowsOf(table.customerId, rfm.customerId);
  const lifeRow = rowsOf(table.customerId, life.customerId);
  const revenue = new Float64Array(n);
  const aov = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    revenue[i] = Number(table.revenue[i]);
    aov[i] = Number(table.averageOrderValue[i]);
  }
  return withSearch({ table, rfm, life, rfmRow, lifeRow, revenue, aov, n }, table.customerId);
}

/** Sort keys of the customer table: a comparator over row indexes. */
const SORTS = {
  customerId: (c) => (a, b) => (c.table.customerId[a] < c.table.customerId[b] ? -1 : c.table.customerId[a] > c.table.customerId[b] ? 1 : 0),
  revenue: (c) => (a, b) => c.revenue[a] - c.revenue[b],
  orders: (c) => (a, b) => c.table.orders[a] - c.table.orders[b],
  averageOrderValue: (c) => (a, b) => c.aov[a] - c.aov[b],
  lastPurchase: (c) => (a, b) => (c.table.lastPurchase[a] < c.table.lastPurchase[b] ? -1 : c.table.lastPurchase[a] > c.table.lastPurchase[b] ? 1 : 0),
  firstPurchase: (c) => (a, b) => (c.table.firstPurchase[a] < c.table.firstPurchase[b] ? -1 : c.table.firstPurchase[a] > c.table.firstPurchase[b] ? 1 : 0),
};

/** Row indexes sorted by `key` (cached per key; descending is read backwards). */
function sortedBy(key) {
  let order = state.order.get(key);
  if (!order) {
    const c = state.customers;
    const compare = SORTS[key](c);
    // Ties fall back to the customer table's own order, so pages are stable.
    order = Uint32Array.from({ length: c.n }, (_, i) => i).sort((a, b) => compare(a, b) || a - b);
    state.order.set(key, order);
  }
  return order;
}

function customerRow(i) {
  const c = state.customers;
  const r = c.rfmRow[i];
  const l = c.lifeRow[i];
  return {
    customerId: c.table.customerId[i],
    revenue: c.table.revenue[i],
    orders: c.table.orders[i],
    averageOrderValue: c.table.averageOrderValue[i],
    firstPurchase: c.table.firstPurchase[i],
    lastPurchase: c.table.lastPurchase[i],
    segment: r < 0 ? null : c.rfm.segment[r],
    stage: l < 0 ? null : c.life.stage[l],
  };
}

/** Customer row `i`'s predictions (P(alive), churn risk, expected purchases, CLV), null without models. */
function outlookOf(i) {
  const m = state.models;
  if (!m || m.row[i] < 0) return null;
  return {
    model: m.summary.best,
    horizonMonths: m.summary.horizonMonths,
    grossMarginPercent: m.summary.grossMarginPercent,
    pAlive: m.pAlive[i],
    churnRisk: m.churnRisk[i],
    expectedPurchases: m.expectedPurchases[i],
    clv: m.clv ? m.clv[i] : null,
  };
}

function requireDataset() {
  if (!state.dataset) throw Object.assign(new Error("Analyse a file first."), { code: "NO_DATASET" });
  return state.dataset;
}


// ---------------------------------------------------------------------------
// Cross-sell: rules, "also bought" pairs, upsell paths and next-best offers, computed once per
// analysis (when the file has a product column) and kept here; the page asks for pages of them.

/** Lets a queued message (a cancel) in between two long synchronous steps. */
async function checkpoint(signal) {
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (signal.aborted) throw Object.assign(new Error("The analysis was cancelled."), { code: "CANCELLED" });
}

/** Lower-case text per row of a table, for the panels' text filters. */
const searchText = (...columns) => columns[0].map((_, i) => columns.map((c) => c[i]).join(" ").toLowerCase());

/**
 * Gives `table` a `search` column (lower-case text of `columns` per row, for the text filters),
 * computed on first use: most tables are never searched. Not enumerable, so pages leave it out.
 */
function withSearch(table, ...columns) {
  let search = null;
  Object.defineProperty(table, "search", { enumerable: false, get: () => (search ??= searchText(...columns)) });
  return table;
}

/** How many customers have offers (offers come grouped by customer). */
function offerCustomers(ids) {
  let count = 0;
  for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[i - 1]) count++;
  return count;
}

/** Each customer's first offer row and the row after their last (offers come grouped by customer). */
function offerRanges(ids) {
  const at = new Map();
  for (let i = 0; i < ids.length; i++) {
    const range = at.get(ids[i]);
    if (range) range[1] = i + 1;
    else at.set(ids[i], [i, i + 1]);
  }
  return at;
}

/**
 * Every cross-sell table of `dataset`, or null when it has no product column; offers weighed by the
 * P(alive) of `model` (a model name, null, or a promise of one: the offers wait for it, the rest not).
 */
async function buildCrossSell(dataset, margins, bestModel, { progress, signal, time = () => {} }) {
  if (!dataset.report.mapping?.productId) return null;
  progress({ phase: "cross-sell" });
  await checkpoint(signal);
  const rules = dataset.rules(RULES_OPTIONS);
  time("rules");
  await checkpoint(signal);
  const similarity = dataset.similarity(SIMILARITY_OPTIONS);
  time("similarity");
  await checkpoint(signal);
  const upsell = dataset.upsell(UPSELL_OPTIONS);
  time("upsell");
  await checkpoint(signal);
  const model = await bestModel;
  time("waitForModel");
  await checkpoint(signal);
  const offers = dataset.offers(offersOptions(margins, model));
  time("offers");
  const r = rules.rules;
  const p = similarity.pairs;
  const u = upsell.paths;
  let ranges = null;
  return {
    rules: withSearch({ ...r }, r.antecedents, r.consequents),
    pairs: withSearch({ ...p }, p.itemId, p.otherId),
    paths: withSearch({ ...u, step: Float64Array.from(u.medianStep, Number) }, u.itemId, u.targetId, u.category),
    offers: offers.offers,
    /** customer id → [first row, last row + 1] of their offers, built at the first drill-down. */
    offerRange: (id) => (ranges ??= offerRanges(offers.offers.customerId)).get(id),
    offersOptions: offersOptions(margins, model),
    summary: {
      rules: { count: r.antecedents.length, matched: rules.matched, baskets: rules.baskets, complete: rules.complete, minSupport: RULES_OPTIONS.minSupport, warnings: rules.warnings },
      pairs: { count: p.itemId.length, customers: similarity.customers },
      paths: { count: u.itemId.length },
      offers: {
        count: offers.offers.customerId.length,
        customers: offerCustomers(offers.offers.customerId),
        valuedAt: margins ? "margin" : "price",
        model,
        segments: offers.segments,
        warnings: offers.warnings,
      },
    },
  };
}

const ascending = (x, y) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * One page of a columnar table (equally long arrays): the rows whose `search` text contains `query`
 * and that pass `keep`, ordered by column `sort` (ties keep the table's own order), as new columns
 * of the same kinds (typed arrays stay typed and are transferred, never the kept table's own).
 */
function pageOf(table, columns, { sort, descending = true, query = "", offset = 0, limit = 20, keep = () => true }) {
  if (!Object.hasOwn(columns, sort)) throw Object.assign(new Error(`Unknown sort key ${sort}`), { code: "INVALID_INPUT" });
  const needle = String(query).trim().toLowerCase();
  const n = Object.values(table)[0]?.length ?? 0;
  const rows = [];
  for (let i = 0; i < n; i++) if ((!needle || table.search[i].includes(needle)) && keep(i)) rows.push(i);
  const key = table[columns[sort]];
  const sign = descending ? -1 : 1;
  rows.sort((a, b) => sign * ascending(key[a], key[b]) || a - b);
  const picked = rows.slice(offset, offset + limit);
  const page = {};
  for (const [name, column] of Object.entries(table)) {
    if (name === "search") continue;
    page[name] = ArrayBuffer.isView(column) ? column.constructor.from(picked, (i) => column[i]) : picked.map((i) => column[i]);
  }
  return { total: n, matched: rows.length, offset, rows: page };
}

/** Sortable columns of each cross-sell table: request key → column. */
const RULE_SORTS = { support: "support", confidence: "confidence", lift: "lift", conviction: "conviction" };
const PAIR_SORTS = { coBuyers: "coBuyers", alsoBought: "alsoBought", lift: "lift", llr: "llr" };
const PATH_SORTS = { movers: "movers", rate: "rate", medianStep: "step" };

function requireCrossSell() {
  requireDataset();
  if (!state.crossSell) throw Object.assign(new Error("This file has no product column: there is nothing to cross-sell."), { code: "NO_PRODUCTS" });
  return state.crossSell;
}

function requireModels() {
  requireDataset();
  if (!state.models) throw Object.assign(new Error("No model could be fitted to this file."), { code: "NO_MODELS" });
  return state.models;
}

/** Plain CSV from a columnar table, text neutralised against formulas as the library's CSVs are. */
function tableCsv(table, columns) {
  const cell = (v) => {
    let text = typeof v === "number" ? (Number.isFinite(v) ? String(v) : v > 0 ? "inf" : v < 0 ? "-inf" : "") : String(v);
    if (typeof v === "string" && /^[=+\-@\t\r|]/.test(text)) text = `'${text}`;
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const n = table[columns[0][1]].length;
  const lines = [columns.map(([header]) => header).join(",")];
  for (let i = 0; i < n; i++) lines.push(columns.map(([, key]) => cell(table[key][i])).join(","));
  return lines.join("\n") + "\n";
}

const PAIR_CSV = [["item_id", "itemId"], ["other_id", "otherId"], ["rank", "rank"], ["co_buyers", "coBuyers"], ["item_buyers", "itemBuyers"], ["other_buyers", "otherBuyers"], ["also_bought", "alsoBought"], ["cosine", "cosine"], ["expected", "expected"], ["lift", "lift"], ["llr", "llr"]];
const PATH_CSV = [["item_id", "itemId"], ["target_id", "targetId"], ["category", "category"], ["rank", "rank"], ["item_price", "itemPrice"], ["target_price", "targetPrice"], ["movers", "movers"], ["item_buyers", "itemBuyers"], ["rate", "rate"], ["median_step", "medianStep"]];

/** The rule filters of the panel's thresholds, as RulesOptions.filters. */
function ruleFilters({ minSupport = 0, minConfidence = 0, minLift = 0 }) {
  return [["support", minSupport], ["confidence", minConfidence], ["lift", minLift]].filter(([, min]) => min > 0).map(([metric, min]) => ({ metric, min }));
}

// ---------------------------------------------------------------------------
// Models: every transaction model fitted on the first 75 % of the file's span and scored on the
// rest (validateModels), then the best one fitted on the whole file for per-customer predictions.

/** Rows of the P(alive) matrix: repeat purchases. */
const FREQUENCY_BUCKETS = [[0, 0, "0"], [1, 1, "1"], [2, 2, "2"], [3, 3, "3"], [4, 5, "4–5"], [6, 9, "6–9"], [10, Infinity, "10+"]];
/** Columns of the P(alive) matrix: days since the last purchase. */
const RECENCY_BUCKETS = [[0, 30, "0–30"], [31, 90, "31–90"], [91, 180, "91–180"], [181, 365, "181–365"], [366, Infinity, "366+"]];
/** Bars of the predicted CLV histogram. */
const CLV_BINS = 12;

/** The index of the bucket holding `v` (plain loops: this runs twice per customer). */
function bucketOf(buckets, v) {
  for (let b = 0; b < buckets.length; b++) if (v >= buckets[b][0] && v <= buckets[b][1]) return b;
  return -1;
}

/** Customers by repeat purchases × days since the last purchase: counts and mean P(alive). */
function pAliveMatrix(table, pAlive) {
  const counts = FREQUENCY_BUCKETS.map(() => new Array(RECENCY_BUCKETS.length).fill(0));
  const sums = FREQUENCY_BUCKETS.map(() => new Array(RECENCY_BUCKETS.length).fill(0));
  for (let i = 0; i < pAlive.length; i++) {
    const f = bucketOf(FREQUENCY_BUCKETS, table.frequency[i]);
    const r = bucketOf(RECENCY_BUCKETS, table.T[i] - table.recency[i]);
    counts[f][r]++;
    sums[f][r] += pAlive[i];
  }
  return {
    frequency: FREQUENCY_BUCKETS.map(([, , label]) => label),
    recency: RECENCY_BUCKETS.map(([, , label]) => label),
    counts,
    meanPAlive: sums.map((row, f) => row.map((sum, r) => (counts[f][r] ? sum / counts[f][r] : null))),
  };
}

/** Equal-width bins of the predicted CLVs up to their 99th percentile; the last bin takes the rest. */
function clvHistogram(clv) {
  const sorted = Float64Array.from(clv).sort();
  const top = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
  const width = top > 0 ? top / CLV_BINS : 1;
  const counts = new Array(CLV_BINS).fill(0);
  for (const v of clv) counts[Math.min(CLV_BINS - 1, Math.max(0, Math.floor(v / width)))]++;
  return { width, counts, max: sorted[sorted.length - 1] };
}

const mean = (values) => values.reduce((s, v) => s + v, 0) / values.length;

/** `column`'s value at each of `row` (null where a row is -1). */
function joined(row, column) {
  const out = new Array(row.length);
  for (let i = 0; i < row.length; i++) out[i] = row[i] < 0 ? null : column[row[i]];
  return out;
}

/** The models' comparison, the best one's holdout curves and its predictions for every customer. */
async function buildModels(dataset, kpis, table, marginPercent, { progress, signal, time = () => {} }) {
  progress({ phase: "models" });
  await checkpoint(signal);
  const validation = validateOptions(kpis);
  const holdout = dataset.validateModels(validation);
  time("validateModels");
  progress({ phase: "best-model", model: holdout.best }); // the offers (maybe in another worker) need only this
  await checkpoint(signal);
  const options = predictOptions(holdout.best, marginPercent);
  const prediction = dataset.predict(options);
  time("predict");
  const p = prediction.customers;
  // Predictions joined to the customer table's rows.
  const row = rowsOf(table.customerId, p.customerId);
  const pick = (column) => {
    if (!column) return column;
    const out = new Float64Array(row.length);
    for (let i = 0; i < row.length; i++) out[i] = row[i] < 0 ? NaN : column[row[i]];
    return out;
  };
  const pAlive = pick(p.pAlive);
  const clv = pick(p.clv);
  const best = holdout.validations.find((v) => v.model === holdout.best);
  return {
    options,
    row,
    pAlive,
    expectedPurchases: pick(p.expectedPurchases),
    clv,
    churnRisk: joined(row, p.churnRisk),
    summary: {
      unit: MODEL_UNIT,
      calibrationEnd: validation.calibrationEnd,
      observationEnd: kpis.asOf,
      best: holdout.best,
      ranking: holdout.ranking,
      holdout: best && { customers: best.customers, tracking: best.tracking, buckets: best.buckets },
      horizonMonths: HORIZON_MONTHS,
      monthlyDiscountRate: options.monthlyDiscountRate,
      grossMarginPercent: marginPercent,
      customers: p.customerId.length,
      averagePredictedClv: clv ? mean(p.clv) : null,
      averageExpectedPurchases: mean(p.expectedPurchases),
      clvHistogram: clv ? clvHistogram(p.clv) : null,
      pAlive: pAliveMatrix(table, pAlive),
      warnings: prediction.warnings,
    },
  };
}

const HANDLERS = {
  async init({ module }) {
    await init(module);
    return { version: version() };
  },

  /** The mapping step: clvkit's reading of the file's first rows, and those rows as written. */
  async preview({ source, options = {} }) {
    const blob = setSource(source);
    const head = new Uint8Array(await blob.slice(0, PREVIEW_BYTES).arrayBuffer());
    // A partial read ends at the last complete line.
    const end = blob.size > PREVIEW_BYTES ? head.lastIndexOf(10) + 1 : head.length;
    const part = head.subarray(0, end > 0 ? end : head.length);
    let report = null;
    let error = null;
    try {
      const dataset = await ingest(part, options);
      report = dataset.report;
      dataset.free();
    } catch (e) {
      error = errorOf(e);
    }
    const text = new TextDecoder().decode(part.subarray(0, 64 * 1024)).replace(/^\uFEFF/, "");
    const records = csvRecords(text, delimiterOf(report, options, text), PREVIEW_ROWS + 1);
    return {
      name: state.name,
      size: blob.size,
      previewBytes: part.length,
      partial: part.length < blob.size,
      report,
      error,
      headers: report?.headers ?? records[0] ?? [],
      rows: records.slice(1),
    };
  },

  /** The whole file, streamed into a new Dataset that replaces the previous one when done. */
  async analyse({ options = {}, crossSell: withCrossSell = true }, { progress, signal }) {
    const blob = setSource(null);
    const { timings, time } = phaseTimer();
    const dataset = await ingest(blob, options, { onProgress: progress, signal });
    time("ingest");
    let result;
    let rfm;
    let lifecycle;
    let crossSell;
    let table;
    let models;
    try {
      rfm = dataset.rfm();
      lifecycle = dataset.lifecycle();
      result = {
        name: state.name,
        report: dataset.report,
        kpis: dataset.kpis(),
        cohorts: dataset.cohorts(),
        segments: rfm.segments,
        stages: lifecycle.stages,
        acquisition: dataset.acquisition({ spend: [] }),
      };
      table = dataset.customers();
      time("summaries");
      try {
        models = await buildModels(dataset, result.kpis, table, state.marginPercent, { progress, signal, time });
      } catch (e) {
        if (e.code === "CANCELLED") throw e;
        models = null; // e.g. no repeat buyer: the descriptive dashboard stands, and says why
        result.modelsSkipped = e.message;
        progress({ phase: "best-model", model: null });
      }
      result.models = models?.summary ?? null;
      time("modelSummaries");
      if (withCrossSell) try {
        crossSell = await buildCrossSell(dataset, state.margins, models?.summary.best ?? null, { progress, signal, time });
      } catch (e) {
        if (e.code === "CANCELLED") throw e;
        crossSell = null; // e.g. no basket left once returns are out: the rest of the analysis stands
        result.crossSellSkipped = e.message;
      }
      result.crossSell = crossSell?.summary ?? null;
      time("crossSellTables");
    } catch (e) {
      dataset.free();
      throw e;
    }
    state.dataset?.free();
    state.dataset = dataset;
    state.customers = buildCustomers(table, rfm.customers, lifecycle.customers);
    state.crossSell = crossSell;
    state.models = models;
    state.order.clear();
    time("join");
    result.timings = { ...timings, wasmMemoryBytes: wasmExports().memory.buffer.byteLength };
    return result;
  },

  /**
   * The cross-sell half of an analysis, for a second worker running beside the one that analyses
   * (the page sends both the same file and options): the file ingested again here, then rules,
   * "also bought" pairs and upsell paths at once, and the offers once the page passes on the best
   * model ("bestModel", as the other worker's "analyse" reports it in a "best-model" progress).
   * This worker then answers the cross-sell requests. Resolves { crossSell, crossSellSkipped?, timings }.
   */
  async crossSell({ source, options = {} }, { progress, signal }) {
    const model = new Promise((resolve, reject) => {
      state.bestModel = resolve;
      signal.addEventListener("abort", () => reject(Object.assign(new Error("The analysis was cancelled."), { code: "CANCELLED" })), { once: true });
    });
    model.catch(() => {}); // awaited later, or never when the cross-sell stops before the offers
    const { timings, time } = phaseTimer();
    const dataset = await ingest(setSource(source), options, { signal });
    time("ingest");
    const result = {};
    let crossSell = null;
    try {
      crossSell = await buildCrossSell(dataset, state.margins, model, { progress: () => {}, signal, time });
    } catch (e) {
      if (e.code === "CANCELLED") {
        dataset.free();
        throw e;
      }
      result.crossSellSkipped = e.message;
    }
    state.dataset?.free();
    state.dataset = dataset;
    state.crossSell = crossSell;
    state.customers = null;
    state.models = null;
    time("crossSellTables");
    return { ...result, crossSell: crossSell?.summary ?? null, timings: { ...timings, wasmMemoryBytes: wasmExports().memory.buffer.byteLength } };
  },

  /** The best model of the analysis running in the other worker, for the offers of "crossSell". */
  bestModel({ model }) {
    state.bestModel?.(model);
    state.bestModel = null;
    return null;
  },

  /** CAC, CLV:CAC and payback per acquisition channel from the spend entered on the page. */
  acquisition({ spend, grossMarginPercent }) {
    return requireDataset().acquisition({ spend, grossMarginPercent });
  },

  /** One page of the customer table: sorted, filtered by a search text. */
  customers({ sort = "revenue", descending = true, query = "", offset = 0, limit = 25 }) {
    requireDataset();
    if (!SORTS[sort]) throw Object.assign(new Error(`Unknown sort key ${sort}`), { code: "INVALID_INPUT" });
    const c = state.customers;
    const order = sortedBy(sort);
    const needle = query.trim().toLowerCase();
    const rows = [];
    let matched = 0;
    for (let k = 0; k < c.n; k++) {
      const i = order[descending ? c.n - 1 - k : k];
      if (needle && !c.search[i].includes(needle)) continue;
      if (matched >= offset && rows.length < limit) rows.push(customerRow(i));
      matched++;
    }
    return { total: c.n, matched, offset, rows };
  },

  /** Everything the API knows about one customer. */
  customer({ customerId }) {
    requireDataset();
    const c = state.customers;
    const i = c.table.customerId.indexOf(customerId);
    if (i < 0) throw Object.assign(new Error(`No customer ${customerId}`), { code: "NOT_FOUND" });
    const r = c.rfmRow[i];
    const l = c.lifeRow[i];
    return {
      ...customerRow(i),
      unit: c.table.unit,
      asOf: c.table.asOf,
      items: c.table.items[i],
      frequency: c.table.frequency[i],
      recency: c.table.recency[i],
      T: c.table.T[i],
      monetaryValue: c.table.monetaryValue[i],
      rfm: r < 0 ? null : { r: c.rfm.r[r], f: c.rfm.f[r], m: c.rfm.m[r], recencyDays: c.rfm.recencyDays[r] },
      lifecycle: l < 0 ? null : { purchaseDays: c.life.purchaseDays[l], daysSinceLast: c.life.daysSinceLast[l], medianGapDays: c.life.medianGapDays[l], windowDays: c.life.windowDays[l] },
      outlook: outlookOf(i),
    };
  },

  /** One page of the association rules: thresholds, a text filter on the items, any metric's order. */
  rules({ sort = "lift", descending = true, query = "", offset = 0, limit = 20, minSupport = 0, minConfidence = 0, minLift = 0 }) {
    const { rules } = requireCrossSell();
    const keep = (i) => rules.support[i] >= minSupport && rules.confidence[i] >= minConfidence && rules.lift[i] >= minLift;
    return pageOf(rules, RULE_SORTS, { sort, descending, query, offset, limit, keep });
  },

  /** One page of the "also bought" pairs (Dataset.similarity), strongest association first. */
  similarity({ sort = "llr", descending = true, query = "", offset = 0, limit = 10 }) {
    return pageOf(requireCrossSell().pairs, PAIR_SORTS, { sort, descending, query, offset, limit });
  },

  /** One page of the upsell paths (Dataset.upsell), most movers first. */
  upsell({ sort = "movers", descending = true, query = "", offset = 0, limit = 20 }) {
    return pageOf(requireCrossSell().paths, PATH_SORTS, { sort, descending, query, offset, limit });
  },

  /** One customer's next-best offers (rank order), or without a customer the per-segment summary. */
  offers({ customerId } = {}) {
    const cross = requireCrossSell();
    if (customerId === undefined) return cross.summary.offers;
    const [from, to] = cross.offerRange(customerId) ?? [0, 0];
    const o = cross.offers;
    const rows = [];
    for (let i = from; i < to; i++) {
      rows.push({ rank: o.rank[i], itemId: o.itemId[i], probability: o.probability[i], value: o.value[i], pAlive: o.pAlive[i], expectedValue: o.expectedValue[i], source: o.source[i], reason: o.reason[i] });
    }
    return { customerId, valuedAt: cross.summary.offers.valuedAt, offers: rows };
  },

  /** A CSV from the library (formula-safe), as UTF-8 bytes; `options` for the rules' thresholds and order. */
  exportCsv({ kind, options = {} }) {
    const dataset = requireDataset();
    const make = {
      customers: () => dataset.customersCsv(),
      rfm: () => dataset.rfmCsv(),
      lifecycle: () => dataset.lifecycleCsv(),
      rules: () => (requireCrossSell(), dataset.rulesCsv({ ...RULES_OPTIONS, filters: ruleFilters(options), sortBy: RULE_SORTS[options.sort] ?? RULES_OPTIONS.sortBy })),
      similarity: () => tableCsv(requireCrossSell().pairs, PAIR_CSV),
      upsell: () => tableCsv(requireCrossSell().paths, PATH_CSV),
      offers: () => dataset.offersCsv(requireCrossSell().offersOptions),
      predictions: () => dataset.predictCsv(requireModels().options),
    }[kind];
    if (!make) throw Object.assign(new Error(`Unknown export ${kind}`), { code: "INVALID_INPUT" });
    return { bytes: new TextEncoder().encode(make()) };
  },
};

self.addEventListener("message", async ({ data }) => {
  const { id, type, ...payload } = data;
  if (type === "cancel") {
    state.controllers.get(id)?.abort();
    return;
  }
  const controller = new AbortController();
  state.controllers.set(id, controller);
  const progress = (p) => self.postMessage({ id, type: "progress", progress: p });
  try {
    const handler = HANDLERS[type];
    if (!handler) throw Object.assign(new Error(`Unknown request ${type}`), { code: "INVALID_INPUT" });
    const result = await handler(payload, { progress, signal: controller.signal });
    self.postMessage({ id, type: "done", result }, transferables(result));
  } catch (e) {
    self.postMessage({ id, type: "error", error: errorOf(e) });
  } finally {
    state.controllers.delete(id);
  }
});
