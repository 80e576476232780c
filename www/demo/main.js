// The demo's flow: choose a file (drop, picker or the sample) → check the columns the worker
// detected on its first rows → analyse the whole file in the worker (progress, cancel) → dashboard.
// The calculators (www/app.js) are pre-filled from the result. Once the wasm and the worker are
// ready the page forbids itself any further connection (a connect-src 'none' policy).
//
// Progress is observable from outside (tests, bench/suites/browser.mjs): <html data-dashboard> is
// "analysing" from the click on Analyse, then "complete" once every panel is drawn with its first
// page of rows and the calculators are pre-filled ("failed" or "cancelled" otherwise), and the
// steps leave performance marks: clvkit:file-chosen, clvkit:mapping-ready, clvkit:analyse-start,
// clvkit:analysed (the worker's result arrived; detail: its phase timings) and
// clvkit:dashboard-complete.
import { h, num, prefill } from "../app.js";
import { wasmModule } from "../wasm.js";
import { AnalysisWorker } from "./worker-client.js";
import { clearDashboard, nextTask, renderDashboard } from "./dashboard.js";
import { warmUpCharts } from "./charts.js";
import { downloadCsv } from "./download.js";
import { ROLE_LABELS, reportSummary, rowError } from "../panels/quality.js";

const $ = (id) => document.getElementById(id);
// One worker does the whole analysis, one step after the other. With ?workers=2 in the page's URL
// (an experiment, for bench/cases/browser-dashboard.mjs --query workers=2) a second worker from the
// same script (same policy) ingests the file too, at the same time, and computes the cross-sell
// tables and offers while the first computes the summaries and the models: the halves overlap on
// a machine with cores to spare, for the memory of a second copy of the data. On the 2-core
// benchmark machine, shared and loaded, it was 5-9 % slower at 100k rows and 12 % at 1M (more CPU
// in all: the file is read twice; 1.4 times the wasm memory), so it is not the default.
// `worker` routes each request to the worker that holds its data; panels only see `worker`.
const SINGLE = new URLSearchParams(location.search).get("workers") !== "2";
const analysisWorker = new AnalysisWorker(new URL("../worker.js", import.meta.url));
const crossSellWorker = SINGLE ? analysisWorker : new AnalysisWorker(new URL("../worker.js", import.meta.url));
const CROSS_SELL = new Set(["rules", "similarity", "upsell", "offers"]);
const worker = {
  request(type, payload = {}, control) {
    const crossSell = CROSS_SELL.has(type) || (type === "exportCsv" && CROSS_SELL.has(payload.kind));
    return (crossSell ? crossSellWorker : analysisWorker).request(type, payload, control);
  },
};

const flow = {
  /** What the user chose: { file } or { sample: true }; sent with the first preview only. */
  pendingSource: null,
  /** Ingest options from the mapping step. */
  options: { mapping: {} },
  analysis: null,
  result: null,
  previewRun: 0,
};

const sizeFormat = new Intl.NumberFormat(undefined, { style: "unit", unit: "megabyte", maximumFractionDigits: 1 });
const megabytes = (bytes) => sizeFormat.format(bytes / 1e6);

function say(text, { error = false } = {}) {
  const status = $("demo-status");
  status.textContent = text;
  status.classList.toggle("status-error", error);
}

/** A performance mark of the flow (see the top of this file). */
const mark = (name, detail = null) => performance.mark(`clvkit:${name}`, { detail });
const dashboardState = (value) => (document.documentElement.dataset.dashboard = value);

function show(section) {
  for (const id of ["mapping", "analysis-progress"]) $(id).hidden = id !== section;
}

// ---------------------------------------------------------------------------
// Choosing a file

function choose(source) {
  if (document.documentElement.dataset.demo !== "ready") return;
  flow.analysis?.abort(); // a new choice supersedes a running analysis
  flow.analysis = null;
  flow.pendingSource = source;
  flow.options = { mapping: {} };
  mark("file-chosen");
  for (const id of ["opt-delimiter", "opt-dateFormat", "opt-decimalSeparator"]) $(id).value = "auto";
  $("opt-returns").value = "net";
  $("mapping-form").dataset.ready = "false";
  preview({ fresh: true });
}

function wireLanding() {
  const input = $("file");
  $("choose-file").addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    if (input.files[0]) choose({ file: input.files[0] });
    input.value = ""; // choosing the same file again is a new choice
  });
  $("try-sample").addEventListener("click", () => choose({ sample: true }));
  const zone = $("dropzone");
  const over = (on) => zone.classList.toggle("dragging", on);
  for (const type of ["dragenter", "dragover"]) {
    document.addEventListener(type, (e) => {
      if (![...(e.dataTransfer?.types ?? [])].includes("Files")) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      over(true);
    });
  }
  document.addEventListener("dragleave", (e) => {
    if (e.relatedTarget === null) over(false);
  });
  document.addEventListener("drop", (e) => {
    e.preventDefault(); // a file dropped anywhere must not replace the page
    over(false);
    const file = e.dataTransfer?.files?.[0];
    if (file) choose({ file });
  });
}

// ---------------------------------------------------------------------------
// Mapping step

function ingestOptions() {
  const o = { mapping: { ...flow.options.mapping } };
  for (const key of ["delimiter", "dateFormat", "decimalSeparator"]) {
    const v = $(`opt-${key}`).value;
    if (v !== "auto") o[key] = v;
  }
  o.returns = $("opt-returns").value;
  return o;
}

async function preview({ fresh = false } = {}) {
  const run = ++flow.previewRun;
  show("mapping");
  $("mapping-form").dataset.ready = "false";
  $("analyse").disabled = true;
  say(fresh ? "Reading the first rows…" : "Checking the first rows again…");
  let p;
  try {
    p = await worker.request("preview", { source: fresh ? flow.pendingSource : undefined, options: ingestOptions() });
  } catch (e) {
    if (run === flow.previewRun) say(`The file could not be read: ${e.message}`, { error: true });
    return;
  }
  if (run !== flow.previewRun) return; // a newer choice or change is on its way
  renderPreview(p);
  $("analyse").disabled = p.error !== null;
  $("mapping-form").dataset.ready = "true";
  if (fresh) mark("mapping-ready");
  say(p.error ? "Fix the problem below to continue." : `${p.name}: columns detected. Check them, then analyse.`, { error: p.error !== null });
  if (fresh) $("mapping-title").focus();
}

const DELIMITER_NAMES = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe" };

function renderPreview(p) {
  $("mapping-file").textContent = `${p.name}, ${megabytes(p.size)}`;
  const mapping = p.report?.mapping ?? null;
  const roleOf = new Map();
  for (const role of Object.keys(ROLE_LABELS)) if (mapping?.[role]) roleOf.set(mapping[role].index, ROLE_LABELS[role]);

  // Role dropdowns: every column of the file, or "not used".
  $("role-selects").replaceChildren(
    ...Object.entries(ROLE_LABELS).map(([role, label]) => {
      const id = `role-${role}`;
      const chosen = role in flow.options.mapping ? flow.options.mapping[role] : (mapping?.[role]?.index ?? null);
      const select = h(
        "select",
        { id, dataset: { role } },
        h("option", { value: "" }, "not used"),
        p.headers.map((header, i) => h("option", { value: String(i), selected: chosen === i }, header || `column ${i + 1}`)),
      );
      return h("div", { class: "field" }, h("label", { for: id }, label), select);
    }),
  );

  // The first rows as written, each column labelled with the role it plays.
  $("preview-table").replaceChildren(
    h(
      "table",
      { class: "preview" },
      h("caption", {}, `First ${p.rows.length} rows of ${p.name}`),
      h("thead", {}, h("tr", {}, p.headers.map((header, i) => h("th", { scope: "col" }, header, roleOf.has(i) ? h("span", { class: "role-badge" }, roleOf.get(i)) : null)))),
      h("tbody", {}, p.rows.map((row) => h("tr", {}, p.headers.map((_, i) => h("td", {}, row[i] ?? ""))))),
    ),
  );

  const r = p.report;
  const detected = r
    ? [
        `${DELIMITER_NAMES[r.delimiter] ?? r.delimiter ?? "comma"}-separated`,
        r.dateFormat ? `dates ${{ dmy: "day/month/year", mdy: "month/day/year", ymd: "year-month-day" }[r.dateFormat] ?? r.dateFormat}` : null,
        r.decimalSeparator ? `decimal ${r.decimalSeparator === "comma" ? "comma (1.234,50)" : "point (1,234.50)"}` : null,
      ].filter(Boolean)
    : [];
  $("detected").textContent = detected.length ? `Detected: ${detected.join(", ")}.` : "";
  const scope = p.partial ? `First ${megabytes(p.previewBytes)} of the file` : "Whole file";
  $("preview-report").replaceChildren(
    p.error
      ? h(
          "div",
          { class: "notice notice-error", role: "alert" },
          h("p", {}, h("strong", {}, "This file cannot be analysed as mapped. ")),
          p.error.line ? h("ul", { class: "row-errors" }, rowError(p.error)) : h("p", {}, p.error.message, " ", h("code", {}, p.error.code)),
          p.error.code === "MISSING_COLUMN" ? h("p", {}, "Choose the columns under “Which column is which” below.") : null,
        )
      : reportSummary(r, scope),
  );
}

function wireMapping() {
  const form = $("mapping-form");
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("change", (e) => {
    const role = e.target.dataset.role;
    if (role) flow.options.mapping[role] = e.target.value === "" ? null : Number(e.target.value);
    preview();
  });
  $("analyse").addEventListener("click", analyse);
  $("change-file").addEventListener("click", () => $("file").click());
}

// ---------------------------------------------------------------------------
// Analysis

async function analyse() {
  const controller = new AbortController();
  flow.analysis = controller;
  show("analysis-progress");
  const bar = $("progress");
  const text = $("progress-text");
  bar.value = 0;
  text.textContent = "Starting…";
  say("Analysing the whole file on this device…");
  $("cancel").focus();
  dashboardState("analysing");
  mark("analyse-start");
  const started = performance.now();
  let result;
  let crossSell;
  try {
    const options = ingestOptions();
    // The cross-sell half never rejects here: its failure only leaves the cross-sell panels out.
    const crossSold = SINGLE
      ? null
      : crossSellWorker.request("crossSell", { source: flow.pendingSource, options }, { signal: controller.signal }).catch((e) => ({ crossSell: null, failure: e }));
    const analysed = analysisWorker.request("analyse", { options, crossSell: SINGLE }, {
      signal: controller.signal,
      onProgress: ({ phase, model, bytes, totalBytes, rows }) => {
        if (phase === "best-model") {
          if (SINGLE) return;
          crossSellWorker.request("bestModel", { model }).catch(() => {});
          text.textContent = "Predicting each customer, finding cross-sell rules, upsell paths and offers…";
          return;
        }
        if (phase === "cross-sell") {
          text.textContent = "File read. Finding cross-sell rules, upsell paths and offers…";
          return;
        }
        if (phase === "models") {
          text.textContent = "Fitting and validating the purchase models, then predicting each customer…";
          return;
        }
        if (totalBytes) bar.value = bytes / totalBytes;
        text.textContent = `${megabytes(bytes)}${totalBytes ? ` of ${megabytes(totalBytes)}` : ""} read, ${rows.toLocaleString()} rows`;
      },
    });
    // Chart.js warms up while the worker works, so the dashboard's first chart is not a long task.
    analysed.catch(() => controller.abort()); // the analysis failed: stop the cross-sell half too
    [, result, crossSell] = await Promise.all([warmUpCharts(), analysed, crossSold]);
  } catch (e) {
    if (flow.analysis !== controller) return; // superseded by a new file: that one speaks now
    flow.analysis = null;
    dashboardState(e.code === "CANCELLED" ? "cancelled" : "failed");
    show("mapping");
    if (e.code === "CANCELLED") {
      say(flow.result ? "Cancelled. The dashboard still shows the previous file." : "Cancelled. Nothing was analysed.");
      $("analyse").focus();
    } else {
      const where = e.line ? ` (line ${e.line}${e.column ? `, column ${e.column}` : ""})` : "";
      say(`The analysis failed${where}: ${e.message}`, { error: true });
    }
    return;
  }
  if (flow.analysis !== controller) return;
  flow.analysis = null;
  if (crossSell) {
    if (crossSell.failure?.code === "CANCELLED") return; // only when this analysis was stopped
    result.crossSell = crossSell.crossSell;
    const skipped = crossSell.crossSellSkipped ?? crossSell.failure?.message;
    if (skipped) result.crossSellSkipped = skipped;
    result.timings = { ...result.timings, crossSell: crossSell.timings ?? null };
  }
  flow.result = result;
  mark("analysed", result.timings ?? null);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if ((await showDashboard(result)) && flow.result === result) {
    mark("dashboard-complete");
    dashboardState("complete");
  }
  say(`${result.name}: ${result.report.acceptedRows.toLocaleString()} rows analysed in ${seconds} s, on this device.`);
}

async function showDashboard(result) {
  $("mapping").hidden = true;
  $("analysis-progress").hidden = true;
  $("dashboard").hidden = false;
  $("dashboard-meta").replaceChildren(
    `${result.name} · ${num(result.kpis.customers).textContent} customers · ${result.kpis.firstPurchase} to ${result.kpis.asOf}`,
  );
  $("dashboard-title").focus();
  if (!(await drawPanels(result))) return false;
  await prefillCalculators(result.kpis, null);
  return true;
}

/** The panels for `result`; false when a newer drawing superseded this one. */
async function drawPanels(result) {
  const events = await renderDashboard($("panels"), { result, worker });
  events?.addEventListener("acquisition", (e) => prefillCalculators(result.kpis, e.detail));
  return events !== null;
}

/** The calculators, from the file's figures (and CAC and margin once spend is entered). */
async function prefillCalculators(k, acquisition) {
  const fixed = (x, digits) => (x === null || x === undefined || !Number.isFinite(x) ? null : x.toFixed(digits));
  const perYear = fixed(k.purchaseFrequencyPerYear, 2);
  const monthly = fixed((Number(k.averageOrderValue) * k.purchaseFrequencyPerYear) / 12, 2);
  const cac = acquisition?.blended && Number(acquisition.blended.cac) > 0 ? acquisition.blended.cac : null;
  const margin = acquisition?.grossMarginPercent ?? null;
  // Lifespan stays the analyst's call: 1 ÷ monthly churn understates it wherever customers buy
  // less often than monthly, which is most shops.
  const base = { averageOrderValue: k.averageOrderValue, purchaseFrequency: perYear };
  const profit = { ...base, grossMarginPercent: margin, cac };
  const values = {
    simple: base,
    profit,
    whatIf: profit,
    retention: { marginPerPeriod: monthly, retentionRate: fixed(k.meanRetentionRate, 3) },
    ratio: { clv: k.historicalClv, cac, monthlyRevenuePerCustomer: monthly, grossMarginPercent: margin },
  };
  for (const [calc, fields] of Object.entries(values)) {
    await nextTask(); // one calculator per task: each redraws its results
    prefill({ [calc]: fields });
  }
  const note = $("calc-prefill-note");
  note.hidden = false;
  note.textContent =
    `Pre-filled from ${flow.result.name} (as of ${k.asOf}): average order value, purchases a year, monthly revenue, ` +
    `monthly retention and the average CLV to date` +
    (cac ? ", and the blended CAC and margin you entered." : "; enter spend in the acquisition panel to fill in CAC too.") +
    " Lifespan is yours to set. Change any value to explore.";
}

// ---------------------------------------------------------------------------
// Exports

function wireDashboard() {
  for (const button of document.querySelectorAll("[data-export]")) {
    button.addEventListener("click", async () => {
      const kind = button.dataset.export;
      try {
        await downloadCsv(worker, kind);
      } catch (e) {
        say(`Export failed: ${e.message}`, { error: true });
      }
    });
  }
  $("new-file").addEventListener("click", () => {
    $("start").scrollIntoView();
    $("choose-file").focus();
  });
  $("cancel").addEventListener("click", () => flow.analysis?.abort());
  document.getElementById("currency").addEventListener("change", () => {
    if (flow.result) drawPanels(flow.result); // money is shown in the new currency
  });
}

// ---------------------------------------------------------------------------
// Start

/** From now on the page may not connect anywhere, not even to its own origin. */
function forbidConnections() {
  const meta = document.createElement("meta");
  meta.httpEquiv = "Content-Security-Policy";
  meta.content = "connect-src 'none'";
  document.head.append(meta);
}

async function start() {
  wireLanding();
  wireMapping();
  wireDashboard();
  try {
    const module = await wasmModule;
    await Promise.all([...new Set([analysisWorker, crossSellWorker])].map((w) => w.request("init", { module })));
  } catch (e) {
    say(`The analysis engine could not start: ${e.message}`, { error: true });
    document.documentElement.dataset.demo = "failed";
    return;
  }
  forbidConnections();
  for (const b of document.querySelectorAll("#dropzone button")) b.disabled = false;
  say("Ready. Nothing you load leaves this device.");
  document.documentElement.dataset.demo = "ready";
}

clearDashboard($("panels"));
start();
