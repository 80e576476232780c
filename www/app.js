// clvkit demo page: six calculators over the clvkit WebAssembly package.
// Plain ES module, no framework, no build step. Nothing leaves the page: every
// number is computed locally by clvkit (exact decimals); this file only builds
// the forms, sends their text to clvkit as strings, and shows results or errors.

import init, * as clvkit from "./clvkit/js/index.js";
import { wasmModule } from "./wasm.js";

// ---------------------------------------------------------------------------
// Field table: every input of every calculator, by its API (camelCase) name.
// kind: money | decimal | count | text. `value` is the example pre-fill.

const FIELDS = {
  averageOrderValue: { label: "Average order value", hint: "Revenue per purchase.", kind: "money" },
  purchaseFrequency: { label: "Purchases per year", hint: "Orders per customer per year.", kind: "decimal" },
  purchaseIntervalMonths: { label: "Months between purchases", hint: "One purchase every N months.", kind: "decimal" },
  lifespanYears: { label: "Customer lifespan (years)", hint: "How long a customer keeps buying.", kind: "decimal" },
  annualChurnRate: { label: "Annual churn rate", hint: "Share lost per year, 0–1 (e.g. 0.25 for 25%).", kind: "decimal" },
  multiplier: { label: "Units per customer", hint: "Optional multiplier, e.g. vehicles per fleet customer. Default 1.", kind: "decimal" },
  grossMarginPercent: { label: "Gross margin (%)", hint: "0–100.", kind: "decimal" },
  costOfGoodsPerOrder: { label: "Cost of goods per order", hint: "What one order costs you to fulfil.", kind: "money" },
  yearlyServiceCost: { label: "Yearly cost to serve", hint: "Support, account management… per customer per year. Default 0.", kind: "money" },
  cac: { label: "Acquisition cost (CAC)", hint: "What it costs to win one customer. Default 0.", kind: "money" },
  changePercent: { label: "Improvement to try (%)", hint: "Each lever is improved by this much, one at a time (CAC lowered).", kind: "decimal" },
  marginPerPeriod: { label: "Margin per period", hint: "Margin (or revenue) per customer per period, e.g. per month.", kind: "money" },
  retentionRate: { label: "Retention rate", hint: "Share kept from one period to the next, 0–1 (e.g. 0.8).", kind: "decimal" },
  churnRate: { label: "Churn rate", hint: "Share lost per period, 0–1 (e.g. 0.2).", kind: "decimal" },
  discountRate: { label: "Discount rate per period", hint: "0 for none; e.g. 0.1 for 10% per period.", kind: "decimal" },
  horizonPeriods: { label: "Horizon (periods)", hint: "Optional: also sum over this many periods (whole number).", kind: "count" },
  clv: { label: "Customer lifetime value", hint: "From one of the calculators above.", kind: "money" },
  monthlyRevenuePerCustomer: { label: "Monthly revenue per customer", hint: "Optional, for the payback period.", kind: "money" },
};

const RATIO_MARGIN = { label: "Gross margin (%)", hint: "0–100, for the payback period. Default 100." };

const FREQUENCY = { alt: ["purchaseFrequency", "purchaseIntervalMonths"], legend: "How often customers buy", choices: ["Purchases per year", "Months between purchases"] };
const LIFESPAN = { alt: ["lifespanYears", "annualChurnRate"], legend: "How long customers stay", choices: ["Lifespan in years", "Annual churn rate"] };
const MARGIN = { alt: ["grossMarginPercent", "costOfGoodsPerOrder"], legend: "Gross margin", choices: ["Margin in percent", "Cost of goods per order"] };
const RETENTION = { alt: ["retentionRate", "churnRate"], legend: "Customers kept each period", choices: ["Retention rate", "Churn rate"] };

const PROFIT_EXAMPLE = {
  averageOrderValue: "75",
  purchaseFrequency: "3",
  purchaseIntervalMonths: "4",
  lifespanYears: "4",
  annualChurnRate: "0.25",
  multiplier: "",
  grossMarginPercent: "40",
  costOfGoodsPerOrder: "45",
  yearlyServiceCost: "10",
  cac: "120",
};

// ---------------------------------------------------------------------------
// Formatting

const state = { currency: "USD", decimals: 2, money: null, number: null };

function setCurrency(code) {
  state.currency = code;
  const probe = new Intl.NumberFormat(undefined, { style: "currency", currency: code });
  state.decimals = probe.resolvedOptions().maximumFractionDigits;
  state.money = new Intl.NumberFormat(undefined, {
    style: "currency",
    currency: code,
    minimumFractionDigits: state.decimals,
    maximumFractionDigits: state.decimals,
  });
}
export const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
export const shareFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

/** Create an element: h("p", { class: "x" }, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/**
 * A money amount. clvkit returns an exact decimal string; Intl.NumberFormat formats a
 * string exactly (it is only display), and the exact string stays in value/title/data-exact.
 */
export function money(exact) {
  if (exact === null || exact === undefined) return h("span", { class: "na", text: "n/a" });
  return h("data", { class: "money", value: exact, title: `Exact: ${exact}`, dataset: { exact } }, state.money.format(exact));
}
/** A plain (float) number for display; the full value stays in value/title. */
export function num(x, suffix = "") {
  if (x === null || x === undefined) return h("span", { class: "na", text: "n/a" });
  return h("data", { class: "number", value: String(x), title: String(x), dataset: { exact: String(x) } }, numberFormat.format(x) + suffix);
}
export function share(x) {
  return h("data", { class: "number", value: String(x), title: String(x) }, shareFormat.format(x));
}
function plainPercent(exact) {
  return h("data", { class: "number", value: exact, title: `${exact}%`, dataset: { exact } }, `${exact}%`);
}

/** A definition list of [label, value-node, key] rows; `key` becomes data-key for tests and styling. */
export function details(rows) {
  return h(
    "dl",
    { class: "details" },
    rows.filter(Boolean).map(([label, value, key]) => h("div", { class: "row", dataset: { key } }, h("dt", {}, label), h("dd", {}, value))),
  );
}
/** A horizontally scrollable region for a wide table, reachable by keyboard. */
export function scroller(label, table) {
  return h("div", { class: "table-scroll", role: "region", "aria-label": label, tabindex: "0" }, table);
}
/** A formula as clvkit states it; "a = x; b = y" is shown one part per line. */
function formula(text, label = "Formula") {
  const parts = String(text).split(/;\s+/);
  if (parts.length === 1) return h("p", { class: "formula" }, h("span", { class: "formula-label" }, `${label}: `), h("code", {}, text));
  return h(
    "div",
    { class: "formula" },
    h("span", { class: "formula-label" }, `${label}:`),
    h("ul", { class: "formula-parts" }, parts.map((p) => h("li", {}, h("code", {}, p)))),
  );
}
function headline(label, value, extra) {
  return [h("span", { class: "headline-label" }, `${label}: `), value, extra ? [" ", extra] : null];
}

// ---------------------------------------------------------------------------
// Calculators: fields (in order), example values, and how the result is shown.

const BANDS = {
  losing: "Losing money",
  weak: "Weak",
  healthy: "Healthy",
  underInvesting: "Under-investing",
};

const CALCULATORS = {
  simple: {
    fn: "simpleClv",
    submit: "Simple CLV",
    items: ["averageOrderValue", FREQUENCY, LIFESPAN, "multiplier"],
    example: { averageOrderValue: "75", purchaseFrequency: "3", purchaseIntervalMonths: "4", lifespanYears: "4", annualChurnRate: "0.25", multiplier: "" },
    render: (r) => ({
      headline: headline("Customer lifetime value", money(r.clv)),
      body: [
        details([
          ["CLV", money(r.clv), "clv"],
          ["Revenue per customer per year", money(r.annualValue), "annualValue"],
          ["Purchases per year", num(Number(r.inputs.purchaseFrequency)), "purchaseFrequency"],
          ["Lifespan (years)", num(Number(r.inputs.lifespanYears)), "lifespanYears"],
        ]),
        formula(r.formula),
      ],
    }),
  },
  profit: {
    fn: "profitClv",
    items: ["averageOrderValue", FREQUENCY, LIFESPAN, MARGIN, "yearlyServiceCost", "cac", "multiplier"],
    example: PROFIT_EXAMPLE,
    render: (r) => ({
      headline: headline("Net CLV after acquisition cost", money(r.netClv)),
      body: [
        details([
          ["Revenue CLV", money(r.revenueClv), "revenueClv"],
          ["Gross margin", plainPercent(r.grossMarginPercent), "grossMarginPercent"],
          ["Gross profit per order", money(r.grossProfitPerOrder), "grossProfitPerOrder"],
          ["Gross profit CLV", money(r.grossProfitClv), "grossProfitClv"],
          ["Cost to serve over the lifespan", money(r.serviceCost), "serviceCost"],
          ["Profit CLV", money(r.profitClv), "profitClv"],
          ["Net CLV (profit CLV − CAC)", money(r.netClv), "netClv"],
        ]),
        formula(r.formula),
      ],
    }),
  },
  retention: {
    fn: "retentionClv",
    items: ["marginPerPeriod", RETENTION, "discountRate", "horizonPeriods"],
    example: { marginPerPeriod: "100", retentionRate: "0.8", churnRate: "0.2", discountRate: "0.1", horizonPeriods: "12" },
    render: (r) => ({
      headline: headline("CLV, first payment now", money(r.clvFirstPaymentNow)),
      body: [
        details([
          ["Retention rate", num(r.retentionRate), "retentionRate"],
          ["Churn rate", num(r.churnRate), "churnRate"],
          ["Discount rate", num(r.discountRate), "discountRate"],
          ["Expected lifetime (periods)", r.expectedLifetimePeriods === null ? h("span", { text: "unbounded" }) : num(r.expectedLifetimePeriods), "expectedLifetimePeriods"],
          ["Undiscounted CLV (margin ÷ churn)", money(r.undiscountedClv), "undiscountedClv"],
          ["CLV, first payment now", money(r.clvFirstPaymentNow), "clvFirstPaymentNow"],
          ["CLV, future payments only", money(r.clvFuturePaymentsOnly), "clvFuturePaymentsOnly"],
          r.horizon && [`CLV over ${r.horizon.periods} periods`, money(r.horizon.clv), "horizon"],
        ]),
        h(
          "div",
          { class: "formulas" },
          formula(r.formulas.undiscountedClv, "Undiscounted"),
          formula(r.formulas.clvFirstPaymentNow, "First payment now"),
          formula(r.formulas.clvFuturePaymentsOnly, "Future payments only"),
          r.horizon ? formula(r.formulas.horizon, "Horizon") : null,
        ),
      ],
    }),
  },
  cac: {
    fn: "cac",
    wide: true,
    items: [{ channels: true }],
    example: {
      channels: [
        { channel: "Paid search", spend: "4000", newCustomers: "50" },
        { channel: "Social", spend: "2500", newCustomers: "40" },
        { channel: "Referral", spend: "500", newCustomers: "25" },
      ],
    },
    render: (r) => ({
      headline: headline("Blended CAC", money(r.blended.cac)),
      body: [
        scroller(
          "CAC by channel",
          h(
            "table",
            { class: "channels-table" },
            h("caption", {}, "CAC by channel"),
            h(
              "thead",
              {},
              h("tr", {}, ["Channel", "Spend", "New customers", "CAC", "Share of spend", "Share of customers"].map((t) => h("th", { scope: "col" }, t))),
            ),
            h(
              "tbody",
              {},
              r.channels.map((c) =>
                h(
                  "tr",
                  {},
                  h("th", { scope: "row" }, c.channel),
                  h("td", {}, money(c.spend)),
                  h("td", {}, num(c.newCustomers)),
                  h("td", {}, money(c.cac)),
                  h("td", {}, share(c.spendShare)),
                  h("td", {}, share(c.customerShare)),
                ),
              ),
            ),
            h(
              "tfoot",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "row" }, "Blended"),
                h("td", {}, money(r.blended.spend)),
                h("td", {}, num(r.blended.newCustomers)),
                h("td", {}, money(r.blended.cac)),
                h("td", {}, share(1)),
                h("td", {}, share(1)),
              ),
            ),
          ),
        ),
        r.warnings.length ? h("ul", { class: "warnings" }, r.warnings.map((w) => h("li", {}, w.message))) : null,
        formula(r.formula),
      ],
    }),
  },
  ratio: {
    fn: "clvCacRatio",
    items: ["clv", "cac", "monthlyRevenuePerCustomer", "grossMarginPercent"],
    labels: { grossMarginPercent: RATIO_MARGIN, cac: { label: "Acquisition cost (CAC)", hint: "What it costs to win one customer." } },
    example: { clv: "2500", cac: "800", monthlyRevenuePerCustomer: "100", grossMarginPercent: "60" },
    render: (r) => ({
      headline: headline(
        "CLV:CAC",
        h("data", { class: "ratio", value: String(r.ratio), title: String(r.ratio), dataset: { exact: String(r.ratio) } }, `${numberFormat.format(r.ratio)} : 1`),
        h("span", { class: `band band-${r.band}`, dataset: { band: r.band } }, BANDS[r.band] ?? r.band),
      ),
      body: [
        h("p", { class: "verdict" }, r.verdict),
        details([
          ["Ratio", num(r.ratio), "ratio"],
          ["Band", h("span", { dataset: { band: r.band } }, BANDS[r.band] ?? r.band), "band"],
          r.payback && ["Payback period (months)", num(r.payback.months), "paybackMonths"],
          r.payback && ["Monthly gross profit per customer", money(r.payback.monthlyGrossProfit), "monthlyGrossProfit"],
          r.payback && ["Paid back within 12 months", h("span", { text: r.payback.withinTwelveMonths ? "Yes" : "No" }), "withinTwelveMonths"],
        ]),
        h("p", { class: "bands-legend" }, "Bands: under 1 losing money; 1 to 3 weak; 3 to 5 healthy; over 5 under-investing in growth."),
        formula(r.formula),
      ],
    }),
  },
  whatIf: {
    fn: "whatIf",
    wide: true,
    items: ["changePercent", "averageOrderValue", FREQUENCY, LIFESPAN, MARGIN, "yearlyServiceCost", "cac", "multiplier"],
    example: { ...PROFIT_EXAMPLE, changePercent: "10" },
    render: (r) => {
      const best = r.levers[0];
      return {
        headline: headline("Biggest lever", h("span", { class: "lever-best" }, best.label), h("span", {}, ["(", best.delta.startsWith("-") ? "" : "+", money(best.delta), " net CLV)"])),
        body: [
          details([
            ["Net CLV now", money(r.base.netClv), "baseNetClv"],
            ["Profit CLV now", money(r.base.profitClv), "baseProfitClv"],
            ["CLV:CAC now", num(r.base.clvCacRatio), "baseRatio"],
          ]),
          scroller(
            "Levers",
            h(
              "table",
              { class: "levers-table" },
              h("caption", {}, `Each lever improved by ${numberFormat.format(r.changePercent)}%, largest gain first`),
              h("thead", {}, h("tr", {}, ["Lever", "From", "To", "Net CLV", "Gain", "Gain %", "CLV:CAC"].map((t) => h("th", { scope: "col" }, t)))),
              h(
                "tbody",
                {},
                r.levers.map((l) =>
                  h(
                    "tr",
                    { dataset: { lever: l.lever } },
                    h("th", { scope: "row" }, l.label),
                    h("td", {}, h("data", { value: l.from, title: l.from }, l.from)),
                    h("td", {}, h("data", { value: l.to, title: l.to }, l.to)),
                    h("td", {}, money(l.netClv)),
                    h("td", {}, money(l.delta)),
                    h("td", {}, l.deltaPercent === null ? h("span", { class: "na", text: "n/a" }) : num(l.deltaPercent, "%")),
                    h("td", {}, num(l.clvCacRatio)),
                  ),
                ),
              ),
            ),
          ),
          formula(r.base.formula, "Net CLV"),
        ],
      };
    },
  },
};

// ---------------------------------------------------------------------------
// Building the forms

function fieldDef(calc, name) {
  return { ...FIELDS[name], ...(calc.labels?.[name] ?? {}) };
}

/** One labelled input with its hint and (empty) error slot. */
function fieldRow(calcId, calc, name, value, { hidden = false } = {}) {
  const def = fieldDef(calc, name);
  const id = `${calcId}-${name}`;
  const input = h("input", {
    id,
    name,
    type: "text",
    inputmode: def.kind === "count" ? "numeric" : "decimal",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": `${id}-hint`,
    dataset: { field: name },
  });
  input.value = value ?? "";
  return h(
    "div",
    { class: "field", hidden, dataset: { for: name } },
    h("label", { for: id }, def.label),
    input,
    h("p", { class: "hint", id: `${id}-hint` }, def.hint),
    h("p", { class: "error", id: `${id}-error`, hidden: true }),
  );
}

/** Two alternative inputs (give one): a radio pair and the chosen field. */
function altGroup(calcId, calc, item, example) {
  const group = `${calcId}-${item.alt.join("-")}`;
  const radios = item.alt.map((name, i) =>
    h(
      "label",
      { class: "choice" },
      h("input", { type: "radio", name: group, value: name, checked: i === 0, dataset: { alt: name } }),
      ` ${item.choices[i]}`,
    ),
  );
  const fields = item.alt.map((name, i) => fieldRow(calcId, calc, name, example[name], { hidden: i !== 0 }));
  const fs = h("fieldset", { class: "alt" }, h("legend", {}, item.legend), h("div", { class: "choices" }, radios), fields);
  fs.addEventListener("change", (e) => {
    if (e.target.type !== "radio") return;
    for (const f of fields) f.hidden = f.dataset.for !== e.target.value;
  });
  return fs;
}

let channelSeq = 0;

/** The CAC channel rows: add/remove, renumbered so data-field matches channels[i].x. */
function channelsGroup(calcId, form, example) {
  const list = h("div", { class: "channel-list" });
  const add = h("button", { type: "button", class: "add-channel" }, "Add channel");
  const groupError = h("p", { class: "error", id: `${calcId}-channels-error`, hidden: true });
  const fs = h(
    "fieldset",
    { class: "channels", dataset: { fieldGroup: "channels" } },
    h("legend", {}, "Acquisition channels"),
    list,
    groupError,
    add,
  );

  function renumber() {
    const rows = [...list.children];
    rows.forEach((row, i) => {
      row.querySelector("legend").textContent = `Channel ${i + 1}`;
      for (const input of row.querySelectorAll("input")) input.dataset.field = `channels[${i}].${input.name}`;
      const remove = row.querySelector(".remove-channel");
      remove.setAttribute("aria-label", `Remove channel ${i + 1}${row.querySelector("input").value ? ` (${row.querySelector("input").value})` : ""}`);
      remove.disabled = rows.length === 1;
    });
  }

  function addRow(values = { channel: "", spend: "", newCustomers: "" }, focus = false) {
    const n = ++channelSeq;
    const cells = [
      ["channel", "Name", "text", "e.g. Paid search"],
      ["spend", "Spend", "decimal", "Total spend"],
      ["newCustomers", "New customers", "numeric", "Whole number"],
    ].map(([name, label, mode, hint]) => {
      const id = `${calcId}-ch${n}-${name}`;
      const input = h("input", {
        id,
        name,
        type: "text",
        inputmode: mode === "text" ? null : mode,
        autocomplete: "off",
        spellcheck: "false",
        "aria-describedby": `${id}-hint`,
      });
      input.value = values[name] ?? "";
      return h(
        "div",
        { class: "field" },
        h("label", { for: id }, label),
        input,
        h("p", { class: "hint", id: `${id}-hint` }, hint),
        h("p", { class: "error", id: `${id}-error`, hidden: true }),
      );
    });
    const remove = h("button", { type: "button", class: "remove-channel" }, "Remove");
    const row = h("fieldset", { class: "channel-row" }, h("legend", {}, ""), cells, remove);
    remove.addEventListener("click", () => {
      const next = row.nextElementSibling ?? row.previousElementSibling;
      row.remove();
      renumber();
      (next?.querySelector("input") ?? add).focus();
      recompute(form);
    });
    list.append(row);
    renumber();
    if (focus) row.querySelector("input").focus();
    return row;
  }

  add.addEventListener("click", () => {
    addRow(undefined, true);
    recompute(form);
  });
  list.addEventListener("input", renumber);
  for (const c of example.channels) addRow(c);
  return fs;
}

function buildCalculator(container) {
  const calcId = container.dataset.calc;
  const calc = CALCULATORS[calcId];
  const form = h("form", { class: calc.wide ? "calc-form wide" : "calc-form", novalidate: true, "aria-labelledby": container.closest("section").querySelector("h2").id });
  form.dataset.calc = calcId;
  const inputs = h("fieldset", { class: "inputs" }, h("legend", {}, "Inputs"));
  for (const item of calc.items) {
    if (typeof item === "string") inputs.append(fieldRow(calcId, calc, item, calc.example[item]));
    else if (item.alt) inputs.append(altGroup(calcId, calc, item, calc.example));
    else if (item.channels) inputs.append(channelsGroup(calcId, form, calc.example));
  }
  const out = h("output", { id: `${calcId}-result`, class: "headline", "aria-live": "polite" });
  const body = h("div", { class: "result-body", id: `${calcId}-details` });
  const formError = h("p", { class: "form-error", id: `${calcId}-form-error`, hidden: true });
  const results = h("div", { class: "results" }, h("h3", {}, "Result"), h("p", { class: "headline-wrap" }, out), formError, body);
  form.append(inputs, results);

  form.addEventListener("submit", (e) => e.preventDefault()); // Enter must not navigate (CSP form-action 'none')
  form.addEventListener("input", () => recompute(form));
  form.addEventListener("change", (e) => {
    if (e.target.type === "radio") recompute(form);
  });
  container.append(form);
  return form;
}

// ---------------------------------------------------------------------------
// Computing

/**
 * The input object for clvkit: visible, non-empty fields, as strings (exact).
 * A channel row left entirely blank (e.g. just added) is skipped; form.channelRows maps the
 * index clvkit sees back to the row on the page, so errors land next to the right input.
 */
function collect(form) {
  const calc = CALCULATORS[form.dataset.calc];
  const input = { decimals: state.decimals };
  for (const el of form.querySelectorAll(".inputs .field:not([hidden]) > input[type=text]")) {
    if (el.closest(".channel-row")) continue;
    if (el.value.trim() === "") continue; // optional fields left empty; required ones report MISSING_FIELD
    input[el.dataset.field] = el.value.trim();
  }
  if (calc.items.some((i) => i.channels)) {
    input.channels = [];
    form.channelRows = [];
    form.querySelectorAll(".channel-row").forEach((row, rowIndex) => {
      const values = Object.fromEntries([...row.querySelectorAll("input[type=text]")].map((el) => [el.name, el.value.trim()]));
      if (Object.values(values).every((v) => v === "")) return;
      input.channels.push(values);
      form.channelRows.push(rowIndex);
    });
  }
  return input;
}

function clearErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", `${input.id}-hint`);
  }
  for (const g of form.querySelectorAll("[data-field-group]")) g.removeAttribute("aria-describedby");
  for (const p of form.querySelectorAll("p.error")) {
    p.hidden = true;
    p.textContent = "";
  }
  const fe = form.querySelector(".form-error");
  fe.hidden = true;
  fe.textContent = "";
}

/** Put the error next to the input named by error.field (or on the form if none matches). */
function showError(form, error) {
  let field = error.field ?? "";
  // clvkit's channels[i] counts only the rows that were sent; map it back to the row on the page.
  field = field.replace(/^channels\[(\d+)\]/, (all, i) => `channels[${form.channelRows?.[Number(i)] ?? i}]`);
  const esc = (s) => (window.CSS?.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&"));
  let input = field ? form.querySelector(`input[data-field="${esc(field)}"]`) : null;
  if (input?.closest("[hidden]")) input = null;
  // "channels[1]" without a sub-field: point at that row's first input.
  const row = /^channels\[(\d+)\]/.exec(field);
  if (!input && row) input = form.querySelector(`input[data-field^="channels[${row[1]}]"]`);
  const message = error.message || String(error);
  // A whole group ("channels"): the message goes under the group, which it then describes.
  const group = !input && field ? form.querySelector(`[data-field-group="${esc(field)}"]`) : null;
  if (group) {
    const slot = document.getElementById(`${form.dataset.calc}-${field}-error`);
    slot.textContent = message;
    slot.hidden = false;
    group.setAttribute("aria-describedby", slot.id);
    return message;
  }
  if (input) {
    const slot = document.getElementById(`${input.id}-error`);
    slot.textContent = message;
    slot.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", `${input.id}-error ${input.id}-hint`);
    const label = form.querySelector(`label[for="${input.id}"]`)?.textContent ?? field;
    return `${label}: ${message}`;
  }
  const fe = form.querySelector(".form-error");
  fe.textContent = field ? `${field}: ${message}` : message;
  fe.hidden = false;
  return fe.textContent;
}

function recompute(form) {
  const calc = CALCULATORS[form.dataset.calc];
  const out = form.querySelector("output");
  const body = form.querySelector(".result-body");
  clearErrors(form);
  out.htmlFor = [...form.querySelectorAll(".inputs input[type=text]")].map((i) => i.id).join(" ");
  if (!clvkit.isReady()) return;
  let result;
  try {
    result = clvkit[calc.fn](collect(form));
  } catch (e) {
    const text = showError(form, e);
    form.classList.add("has-error");
    form.dataset.errorCode = e?.code ?? "ERROR";
    out.replaceChildren(h("span", { class: "headline-label" }, "Cannot compute. "), text);
    body.hidden = true; // an old result next to an error would mislead
    return;
  }
  form.classList.remove("has-error");
  delete form.dataset.errorCode;
  const view = calc.render(result);
  out.replaceChildren(...[view.headline].flat(Infinity).filter((x) => x !== null && x !== undefined));
  body.hidden = false;
  body.replaceChildren(...view.body.filter(Boolean));
}

function recomputeAll() {
  for (const form of document.querySelectorAll("form.calc-form")) recompute(form);
}

/**
 * Fills calculator fields from an analysed file: `values` maps a calculator id to its fields
 * ({ simple: { averageOrderValue: "41.20", ... } }). A field that belongs to a pair of
 * alternatives (purchaseFrequency / purchaseIntervalMonths, ...) selects its side of the pair.
 */
export function prefill(values) {
  for (const [calcId, fields] of Object.entries(values)) {
    const form = document.querySelector(`form.calc-form[data-calc="${calcId}"]`);
    if (!form) continue;
    for (const [name, value] of Object.entries(fields)) {
      if (value === null || value === undefined) continue;
      const input = form.querySelector(`#${calcId}-${name}`);
      if (!input) continue;
      input.value = String(value);
      const radio = form.querySelector(`input[type=radio][data-alt="${name}"]`);
      if (radio && !radio.checked) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    recompute(form);
  }
}

// ---------------------------------------------------------------------------
// Start

async function start() {
  const status = document.getElementById("status");
  const select = document.getElementById("currency");
  setCurrency(select.value);
  select.addEventListener("change", () => {
    setCurrency(select.value);
    recomputeAll();
  });
  for (const container of document.querySelectorAll(".calc-body[data-calc]")) buildCalculator(container);
  try {
    await init(await wasmModule);
  } catch (e) {
    status.textContent = `The calculator could not load: ${e?.message ?? e}`;
    status.classList.add("status-error");
    document.documentElement.dataset.clvkit = "failed";
    return;
  }
  status.textContent = "Ready. Results update as you type.";
  document.getElementById("version").textContent = `clvkit ${clvkit.version()}.`;
  recomputeAll();
  document.documentElement.dataset.clvkit = "ready";
}

start();
