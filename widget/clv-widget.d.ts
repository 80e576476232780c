// Types of clvkit/widget: the <clv-calculator> custom element.
import type {
  CacInput, CacResult, ClvCacRatioInput, ClvCacRatioResult, ErrorCode, ProfitClvInput, ProfitClvResult,
  RetentionClvInput, RetentionClvResult, SimpleClvInput, SimpleClvResult,
} from "../../js/index.js";

export type WidgetMode = "simple" | "profit" | "retention" | "cac";

/** What the calculators were given (decimal strings as typed, normalised) and what they returned. */
export interface ClvChangeDetail {
  mode: WidgetMode;
  /** The ISO 4217 code used for display (and its number of decimals for rounding). */
  currency: string;
  inputs: {
    simpleClv?: SimpleClvInput;
    profitClv?: ProfitClvInput;
    retentionClv?: RetentionClvInput;
    cac?: CacInput;
    /** In the cac mode: `cac` is the first calculator's CAC to 10 decimal places. */
    clvCacRatio?: ClvCacRatioInput;
  };
  results: {
    simpleClv?: SimpleClvResult;
    profitClv?: ProfitClvResult;
    retentionClv?: RetentionClvResult;
    cac?: CacResult;
    clvCacRatio?: ClvCacRatioResult;
  };
}

export interface ClvErrorDetail {
  /** A ClvkitError code, or "LOAD_FAILED" when the wasm could not be loaded (e.g. a CSP without 'wasm-unsafe-eval'). */
  code: ErrorCode | "LOAD_FAILED";
  message: string;
  /** The calculator's field (e.g. "averageOrderValue"); null for errors not about one input. */
  field: string | null;
  /** The widget's input the message is shown next to, if any. */
  input: string | null;
  error: unknown;
}

export class ClvCalculator extends HTMLElement {
  static readonly observedAttributes: string[];
  mode: WidgetMode | null;
  currency: string | null;
  locale: string | null;
  /** Space- or comma-separated field names to show, e.g. "averageOrderValue purchaseFrequency". */
  fields: string | null;
  theme: "light" | "dark" | null;
  heading: string | null;
  averageOrderValue: string | null;
  purchaseFrequency: string | null;
  purchaseIntervalMonths: string | null;
  lifespanYears: string | null;
  annualChurnRate: string | null;
  multiplier: string | null;
  grossMarginPercent: string | null;
  costOfGoodsPerOrder: string | null;
  yearlyServiceCost: string | null;
  cac: string | null;
  marginPerPeriod: string | null;
  retentionRate: string | null;
  churnRate: string | null;
  discountRate: string | null;
  horizonPeriods: string | null;
  spend: string | null;
  newCustomers: string | null;
  clv: string | null;
  monthlyRevenuePerCustomer: string | null;
  /** The last inputs and results (results null after an error). */
  readonly inputs: ClvChangeDetail["inputs"] | null;
  readonly results: ClvChangeDetail["results"] | null;
}

export default ClvCalculator;

declare global {
  interface HTMLElementTagNameMap {
    "clv-calculator": ClvCalculator;
  }
  interface HTMLElementEventMap {
    "clv-change": CustomEvent<ClvChangeDetail>;
    "clv-error": CustomEvent<ClvErrorDetail>;
  }
}
