// <clv-calculator>: clvkit's CLV and CAC calculators as one embeddable custom element.
// Bundled by scripts/build.sh with the wasm-bindgen glue into dist/widget/clv-widget.js; the wasm
// (clv-widget_bg.wasm, calculators only) is fetched from next to that file, once per page, when
// the first element connects. Nothing is sent anywhere: every figure is computed in the page.
import init, { calculate } from "../target/widget-glue/clv-widget.js";

const TAG = "clv-calculator";
const SEP = "\x1f"; // the compact interface's separator (src/wasm/compact.rs)

// Every input: label, and "m" for money (shown with the currency code).
const FIELDS = {
  averageOrderValue: ["Average order value", "m"],
  purchaseFrequency: ["Purchases per year"],
  purchaseIntervalMonths: ["Months between purchases"],
  lifespanYears: ["Customer lifespan (years)"],
  annualChurnRate: ["Annual churn rate (0–1)"],
  multiplier: ["Units per customer"],
  grossMarginPercent: ["Gross margin (%)"],
  costOfGoodsPerOrder: ["Cost of goods per order", "m"],
  yearlyServiceCost: ["Yearly cost to serve a customer", "m"],
  cac: ["Acquisition cost per customer (CAC)", "m"],
  marginPerPeriod: ["Margin per customer per period", "m"],
  retentionRate: ["Retention rate per period (0–1)"],
  churnRate: ["Churn rate per period (0–1)"],
  discountRate: ["Discount rate per period"],
  horizonPeriods: ["Horizon (periods, optional)"],
  spend: ["Marketing spend", "m"],
  newCustomers: ["New customers won"],
  clv: ["Customer lifetime value", "m"],
  monthlyRevenuePerCustomer: ["Monthly revenue per customer", "m"],
};

const PATTERN = ["averageOrderValue", ["purchaseFrequency", "purchaseIntervalMonths"], ["lifespanYears", "annualChurnRate"]];
const PATTERN_DEFAULTS = { averageOrderValue: "75", purchaseFrequency: "3", purchaseIntervalMonths: "4", lifespanYears: "4", annualChurnRate: "0.25" };

// Per mode: the title, its inputs in order (a nested list is a choice of one), the defaults,
// the fields shown unless `fields` says otherwise, and the figures shown: [label, key, kind].
const MODES = {
  simple: {
    title: "Customer lifetime value",
    items: [...PATTERN, "multiplier"],
    defaults: PATTERN_DEFAULTS,
    show: ["averageOrderValue", "purchaseFrequency", "lifespanYears"],
    calcs: ["simpleClv"],
    head: ["Customer lifetime value", "simpleClv.clv"],
    rows: [["Revenue per customer per year", "simpleClv.annualValue"]],
  },
  profit: {
    title: "Profit CLV",
    items: [...PATTERN, ["grossMarginPercent", "costOfGoodsPerOrder"], "yearlyServiceCost", "cac", "multiplier"],
    defaults: { ...PATTERN_DEFAULTS, grossMarginPercent: "40", costOfGoodsPerOrder: "45", yearlyServiceCost: "10", cac: "100" },
    show: ["averageOrderValue", "purchaseFrequency", "lifespanYears", "grossMarginPercent", "yearlyServiceCost", "cac"],
    calcs: ["profitClv"],
    head: ["Net CLV after acquisition cost", "profitClv.netClv"],
    rows: [
      ["Revenue CLV", "profitClv.revenueClv"],
      ["Gross profit CLV", "profitClv.grossProfitClv"],
      ["Profit CLV after cost to serve", "profitClv.profitClv"],
    ],
  },
  retention: {
    title: "Retention CLV",
    items: ["marginPerPeriod", ["retentionRate", "churnRate"], "discountRate", "horizonPeriods"],
    defaults: { marginPerPeriod: "100", retentionRate: "0.8", churnRate: "0.2", discountRate: "0.1" },
    show: ["marginPerPeriod", "retentionRate", "discountRate", "horizonPeriods"],
    calcs: ["retentionClv"],
    head: ["Discounted CLV", "retentionClv.clvFirstPaymentNow"],
    rows: [
      ["CLV of future payments only", "retentionClv.clvFuturePaymentsOnly"],
      ["Undiscounted CLV", "retentionClv.undiscountedClv"],
      ["Expected lifetime (periods)", "retentionClv.expectedLifetimePeriods", "n"],
      ["CLV over the horizon", "retentionClv.horizon.clv"],
    ],
  },
  cac: {
    title: "CAC and CLV:CAC",
    items: ["spend", "newCustomers", "clv", "monthlyRevenuePerCustomer", "grossMarginPercent"],
    defaults: { spend: "20000", newCustomers: "250", clv: "300", monthlyRevenuePerCustomer: "25", grossMarginPercent: "40" },
    show: ["spend", "newCustomers", "clv", "monthlyRevenuePerCustomer", "grossMarginPercent"],
    calcs: ["cac", "clvCacRatio"],
    head: ["Customer acquisition cost", "cac.blended.cac"],
    rows: [
      ["CLV:CAC", "clvCacRatio.ratio", "r"],
      ["Payback (months)", "clvCacRatio.payback.months", "n"],
      ["Paid back within 12 months", "clvCacRatio.payback.withinTwelveMonths", "b"],
    ],
  },
};
const BANDS = { losing: "losing money", weak: "weak", healthy: "healthy", underInvesting: "under-investing" };
// Fields of the CAC mode's second calculator; its `cac` is the first one's result.
const RATIO_FIELDS = ["clv", "monthlyRevenuePerCustomer", "grossMarginPercent"];

const kebab = (name) => name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
const SETTINGS = ["mode", "currency", "locale", "fields", "theme", "heading"];
const ATTRS = [...SETTINGS, ...Object.keys(FIELDS).map(kebab)];

let loading = null;
/** Loads the wasm once for every element on the page (and again only after a failure). */
function load() {
  loading ??= init({ module_or_path: new URL("clv-widget_bg.wasm", import.meta.url) }).catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}

/** Runs a calculator of the compact interface on { name: value } (all sent as strings). */
function run(kind, input) {
  const parts = Object.entries(input).flatMap(([k, v]) => [k, String(v).replaceAll(SEP, "")]);
  const { result, error } = JSON.parse(calculate(kind, parts.join(SEP)));
  if (error) throw Object.assign(new Error(error.message), { name: "ClvkitError", ...error });
  return result;
}

const at = (obj, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);

const CSS = `
:host{color-scheme:light dark;--clv-bg:light-dark(#fff,#1d2127);--clv-color:light-dark(#1b1f24,#eef1f5);--clv-muted:light-dark(#4d5560,#b3bcc7);--clv-border:light-dark(#b9c0c9,#59636f);--clv-accent:light-dark(#0b57d0,#8ab4f8);--clv-error:light-dark(#b3261e,#f2b8b5);--clv-input-bg:light-dark(#fff,#111418);--clv-radius:12px;
display:block;max-width:30rem;color:var(--clv-color);font:1rem/1.4 var(--clv-font,system-ui,sans-serif)}
:host([hidden]){display:none}:host([theme=light]){color-scheme:light}:host([theme=dark]){color-scheme:dark}
.box{background:var(--clv-bg);border:1px solid var(--clv-border);border-radius:var(--clv-radius);padding:1.25rem}
.title{font-size:1.15rem;font-weight:700;margin:0 0 .75rem}
.field{margin:0 0 .75rem}
label{display:block;font-weight:600;font-size:.9rem;margin-bottom:.25rem}
input{box-sizing:border-box;width:100%;font:inherit;color:inherit;background:var(--clv-input-bg);border:1px solid var(--clv-border);border-radius:calc(var(--clv-radius)/2);padding:.5rem .6rem}
input:focus-visible{outline:3px solid var(--clv-accent);outline-offset:1px}
input[aria-invalid=true]{border:2px solid var(--clv-error)}
.error{color:var(--clv-error);font-size:.875rem;margin:.25rem 0 0}
.results{border-top:1px solid var(--clv-border);margin-top:1rem;padding-top:.75rem}
output,.label,.value{display:block}.label,dt,.note{color:var(--clv-muted)}
.value{font-size:1.6rem;font-weight:700;color:var(--clv-accent)}
.has-error .value{font-size:1rem;color:var(--clv-error)}
dl{margin:.5rem 0 0;display:grid;grid-template-columns:1fr auto;gap:.25rem 1rem}
dd{margin:0;font-weight:600;text-align:end}.note{font-size:.8rem;margin:.75rem 0 0}
`;
let sheet = null;

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

let seq = 0;

class ClvCalculator extends HTMLElement {
  static observedAttributes = ATTRS;
  #root = this.attachShadow({ mode: "open" });
  #id = `clv${++seq}`;
  #inputs = {}; // field name -> <input> of the current form
  #active = []; // the field names sent to the calculators, in order
  #built = "";
  inputs = null;
  results = null;

  connectedCallback() {
    this.#build();
    load().then(
      () => this.#compute(),
      (e) => this.#fail("LOAD_FAILED", `The calculator could not load: ${e?.message ?? e}`, null, e),
    );
  }

  attributeChangedCallback(name, old, value) {
    if (!this.isConnected || old === value) return;
    const field = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (field in FIELDS && this.#inputs[field] && !["mode", "fields"].includes(name)) {
      this.#inputs[field].value = this.#localise(value ?? this.#mode().defaults[field] ?? "", this.#format());
    } else {
      this.#build();
    }
    if (loading) loading.then(() => this.#compute(), () => {});
  }

  #mode() {
    return MODES[this.getAttribute("mode")] ?? MODES.simple;
  }

  #format() {
    const locale = this.getAttribute("locale") || this.closest("[lang]")?.lang || undefined;
    const currency = (this.getAttribute("currency") || "USD").toUpperCase();
    let money;
    try {
      money = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      money = new Intl.NumberFormat("en", { style: "currency", currency: "USD" });
    }
    const { currency: code, maximumFractionDigits: decimals, locale: resolved } = money.resolvedOptions();
    const parts = new Intl.NumberFormat(resolved).formatToParts(12345.6);
    const part = (type) => parts.find((p) => p.type === type)?.value;
    return { money, code, decimals, number: new Intl.NumberFormat(resolved, { maximumFractionDigits: 2 }), group: part("group"), decimal: part("decimal") };
  }

  /** The text typed, as the calculators read it: no spaces, locale separators made "." and ",". */
  #normalise(text, fmt) {
    let s = text.replace(/[\s\u00a0\u202f]/g, "");
    if (fmt.group && fmt.group !== "," && fmt.group !== ".") s = s.replaceAll(fmt.group, "");
    return this.#localise(s, fmt);
  }

  /** A value written as the calculators read it ("1,234.5"), as typed in the locale ("1.234,5"), and back. */
  #localise(s, fmt) {
    return fmt.decimal === "," ? s.replace(/[.,]/g, (c) => (c === "," ? "." : ",")) : s;
  }

  #build() {
    const mode = this.#mode();
    const fmt = this.#format();
    const listed = (this.getAttribute("fields") ?? "").split(/[\s,]+/).filter((f) => f in FIELDS);
    const show = listed.length ? listed : mode.show;
    const given = (f) => this.hasAttribute(kebab(f));
    this.#active = mode.items.map((item) =>
      Array.isArray(item) ? (item.find((f) => listed.includes(f)) ?? item.find(given) ?? item[0]) : item,
    );
    const key = JSON.stringify([mode.title, this.#active, show, fmt.code, fmt.decimal, this.getAttribute("heading")]);
    const keep = key === this.#built ? Object.fromEntries(Object.entries(this.#inputs).map(([k, el]) => [k, el.value])) : {};
    this.#built = key;

    sheet ??= new CSSStyleSheet();
    if (!sheet.cssRules.length) sheet.replaceSync(CSS);
    this.#root.adoptedStyleSheets = [sheet];
    const id = this.#id;
    const form = h("form", { part: "form", novalidate: "" });
    form.addEventListener("submit", (e) => e.preventDefault());
    form.addEventListener("input", () => this.#compute());
    this.#inputs = {};
    for (const f of this.#active) {
      const el = h("input", { id: `${id}-${f}`, name: f, part: "input", type: "text", inputmode: "decimal", autocomplete: "off", spellcheck: "false" });
      el.value = keep[f] ?? this.#localise(this.getAttribute(kebab(f)) ?? mode.defaults[f] ?? "", fmt);
      this.#inputs[f] = el;
      const [label, money] = FIELDS[f];
      const row = h("div", { part: "field", class: "field" }, h("label", { for: el.id, part: "label" }, money ? `${label} (${fmt.code})` : label), el, h("p", { id: `${el.id}-error`, part: "error", class: "error", hidden: "" }));
      if (!show.includes(f)) row.hidden = true;
      form.append(row);
    }
    const out = h("output", { part: "result", "aria-live": "polite", for: this.#active.map((f) => `${id}-${f}`).join(" ") });
    const title = h("div", { part: "title", class: "title", id: `${id}-title` }, this.getAttribute("heading") || mode.title);
    const box = h(
      "div",
      { part: "container", class: "box", role: "group", "aria-labelledby": title.id },
      title,
      form,
      h("div", { part: "results", class: "results" }, out, h("dl", { part: "details" })),
      h("p", { part: "note", class: "note" }, "Computed on this device; nothing is sent anywhere."),
    );
    this.#root.replaceChildren(box);
  }

  /** The calculators' inputs from the form: shown or not, every active field with a value. */
  #collect(fmt) {
    const mode = this.#mode();
    const values = {};
    for (const f of this.#active) {
      const v = this.#normalise(this.#inputs[f].value, fmt);
      if (v !== "") values[f] = v;
    }
    const decimals = fmt.decimals;
    if (mode.calcs[0] !== "cac") return { [mode.calcs[0]]: { ...values, decimals } };
    const pick = (names) => Object.fromEntries(names.filter((n) => n in values).map((n) => [n, values[n]]));
    return { cac: { ...pick(["spend", "newCustomers"]), decimals }, clvCacRatio: { ...pick(RATIO_FIELDS), decimals } };
  }

  #compute() {
    if (!this.#root.firstChild) return;
    const mode = this.#mode();
    const fmt = this.#format();
    const inputs = this.#collect(fmt);
    const results = {};
    this.#clearErrors();
    try {
      if (inputs.cac) {
        results.cac = run("cac", inputs.cac);
        // The ratio from CAC to 10 places, not the rounded figure shown.
        inputs.clvCacRatio.cac = run("cac", { ...inputs.cac, decimals: 10 }).blended.cac;
        try {
          results.clvCacRatio = run("clvCacRatio", inputs.clvCacRatio);
        } catch (e) {
          if (e?.field === "cac") e.field = "spend"; // a CAC of 0 comes from the spend
          throw e;
        }
      } else {
        const [kind] = mode.calcs;
        results[kind] = run(kind, inputs[kind]);
      }
    } catch (e) {
      this.inputs = inputs;
      this.results = null;
      this.#fail(e?.code ?? "INTERNAL", e?.message ?? String(e), e?.field ?? null, e);
      return;
    }
    this.inputs = inputs;
    this.results = results;
    this.#show(mode, fmt, results);
    this.dispatchEvent(new CustomEvent("clv-change", { bubbles: true, composed: true, detail: { mode: this.getAttribute("mode") ?? "simple", currency: fmt.code, inputs, results } }));
  }

  #value(fmt, v, kind) {
    if (kind === "b") return v ? "Yes" : "No";
    if (kind === "r") return `${fmt.number.format(v)} : 1`;
    if (kind === "n") return fmt.number.format(v);
    return fmt.money.format(v); // an exact decimal string: Intl formats it without going through a float
  }

  #show(mode, fmt, results) {
    const out = this.#root.querySelector("output");
    const [label, path] = mode.head;
    out.replaceChildren(h("span", { class: "label" }, label), h("span", { class: "value", part: "value", "data-exact": at(results, path) }, this.#value(fmt, at(results, path))));
    const dl = this.#root.querySelector("dl");
    dl.replaceChildren();
    for (const [text, p, kind] of mode.rows) {
      const v = at(results, p);
      if (v == null) continue;
      const band = p.endsWith(".ratio") ? ` (${BANDS[results.clvCacRatio.band]})` : "";
      dl.append(h("dt", {}, text), h("dd", { "data-key": p.split(".").pop(), "data-exact": String(v) }, this.#value(fmt, v, kind) + band));
    }
  }

  #clearErrors() {
    this.#root.querySelector(".box")?.classList.remove("has-error");
    for (const el of Object.values(this.#inputs)) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      const p = this.#root.getElementById(`${el.id}-error`);
      p.hidden = true;
      p.textContent = "";
    }
  }

  /** Shows an error next to its field (or in the result when no shown field matches) and fires clv-error. */
  #fail(code, message, field, error) {
    const el = field ? this.#inputs[field] : null;
    const shown = el && !el.parentElement.hidden;
    if (shown) {
      const p = this.#root.getElementById(`${el.id}-error`);
      p.textContent = message;
      p.hidden = false;
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", p.id);
    }
    this.#root.querySelector(".box")?.classList.add("has-error");
    const out = this.#root.querySelector("output");
    if (out) {
      const where = el ? `${el.labels[0].textContent}: ` : "";
      out.replaceChildren(h("span", { class: "label" }, "Cannot compute"), h("span", { class: "value", part: "value" }, where + message));
      this.#root.querySelector("dl").replaceChildren();
    }
    this.dispatchEvent(new CustomEvent("clv-error", { bubbles: true, composed: true, detail: { code, message, field, input: el ? field : null, error } }));
  }
}

// Properties mirror the attributes: el.mode = "profit", el.averageOrderValue = "80", el.currency = "EUR".
for (const attr of ATTRS) {
  const prop = attr.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  Object.defineProperty(ClvCalculator.prototype, prop, {
    get() {
      return this.getAttribute(attr);
    },
    set(v) {
      if (v == null) this.removeAttribute(attr);
      else this.setAttribute(attr, String(v));
    },
  });
}

// Tolerates the script being included twice (or from two URLs): the first definition stays.
if (!customElements.get(TAG)) customElements.define(TAG, ClvCalculator);

export { ClvCalculator, MODES };
export default ClvCalculator;
