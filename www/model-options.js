// The options the demo's worker passes to Dataset.validateModels and Dataset.predict: one place, so
// that tests/e2e/demo.test.mjs computes in Node exactly what the page shows.
import { csvRecords } from "./csv-records.js";

/** The models' time unit. */
export const MODEL_UNIT = "weeks";
/** Share of the file's date span used to fit the models; the rest is the holdout period. */
export const CALIBRATION_SHARE = 0.75;
/** Expected purchases are counted over the next 12 months: 365.25 days in weeks. */
export const HORIZON_WEEKS = 365.25 / 7;
export const HORIZON_MONTHS = 12;
export const MONTHLY_DISCOUNT_RATE = 0.01;

const DAY_MS = 86_400_000;

/** The day at CALIBRATION_SHARE of the span from `first` to `last` (ISO dates), as an ISO date. */
export function calibrationEnd(first, last) {
  const from = Date.parse(`${first}T00:00:00Z`);
  const days = Math.round((Date.parse(`${last}T00:00:00Z`) - from) / DAY_MS);
  return new Date(from + Math.round(days * CALIBRATION_SHARE) * DAY_MS).toISOString().slice(0, 10);
}

/** Dataset.validateModels options for a file whose KPIs are `kpis` (first purchase … as-of day). */
export function validateOptions(kpis) {
  return { calibrationEnd: calibrationEnd(kpis.firstPurchase, kpis.asOf), unit: MODEL_UNIT };
}

/** Dataset.predict (and predictCsv) options: the chosen model; CLV on margin when it is known, else on revenue. */
export function predictOptions(model, grossMarginPercent = null) {
  const options = { model, unit: MODEL_UNIT, horizon: HORIZON_WEEKS, horizonMonths: HORIZON_MONTHS, monthlyDiscountRate: MONTHLY_DISCOUNT_RATE };
  return grossMarginPercent === null ? options : { ...options, grossMarginPercent };
}

/**
 * Gross margin as a percent of revenue (two decimals, a string) of an order export with
 * quantity, unit_price, unit_cost and status columns (the sample's): Σ quantity × (price − cost)
 * ÷ Σ quantity × price over the lines that count as revenue (returns are negative quantities;
 * cancelled and failed orders are left out, as clvkit does). Null without those columns.
 */
export function grossMarginPercent(csv) {
  const [head, ...rows] = csvRecords(csv, ",", Infinity);
  const [q, p, c, s] = ["quantity", "unit_price", "unit_cost", "status"].map((name) => head.indexOf(name));
  if (q < 0 || p < 0 || c < 0) return null;
  let revenue = 0;
  let margin = 0;
  for (const f of rows) {
    if (f.length < head.length) continue;
    if (s >= 0 && /^(cancell?ed|failed)$/i.test(f[s])) continue;
    const quantity = Number(f[q]);
    revenue += quantity * Number(f[p]);
    margin += quantity * (Number(f[p]) - Number(f[c]));
  }
  return revenue > 0 ? ((100 * margin) / revenue).toFixed(2) : null;
}
