// clvkit: customer lifetime value, acquisition cost and CLV:CAC, computed locally in WebAssembly.
// Money crosses as decimal strings (exact, never binary floats); rates and ratios as numbers.

/** A money amount as clvkit returns it: a decimal string with exactly `decimals` places, e.g. "900.00". */
export type Money = string;
/** A money amount as input: a decimal string ("1234.50", "1,234.50") or a finite number. */
export type MoneyInput = string | number;
/** An exact decimal quantity (frequency, years, multiplier, percent): a decimal string or a finite number. */
export type DecimalInput = string | number;
/** A non-negative whole number, as a number or a string of digits. */
export type CountInput = number | string;

/** Stable error codes; see README "Errors". */
export type ErrorCode =
  | "INVALID_INPUT" // the input is not an object of the documented shape
  | "INVALID_TYPE" // a field has the wrong JS type (e.g. boolean where a number is expected)
  | "UNKNOWN_FIELD" // a field name that the calculator does not know (typo guard)
  | "MISSING_FIELD" // a required field is absent, null or undefined
  | "CONFLICTING_FIELDS" // two alternatives given at once (e.g. lifespanYears and annualChurnRate)
  | "INVALID_NUMBER" // a string that is not a plain decimal number ("1,2.3", "abc", too long)
  | "NOT_FINITE" // NaN or ±Infinity
  | "NEGATIVE" // a negative amount where only ≥ 0 makes sense
  | "OUT_OF_RANGE" // outside the documented range (churn ≤ 0 or > 1, margin > 100, ...)
  | "NOT_INTEGER" // a count or horizon that is not a whole number
  | "OVERFLOW" // a value or result beyond the exact decimal range (about ±7.9e28)
  | "ZERO_NEW_CUSTOMERS" // CAC with no new customers: cost per customer is undefined
  | "ZERO_CAC" // CLV:CAC with CAC = 0: the ratio is undefined
  | "NOT_CONVERGENT" // retention ≥ 1 + discount rate: the discounted sum has no finite value
  | "NOT_INITIALIZED" // the wasm module was used before `await init()` (browser entry only)
  | "UNSUPPORTED_ENCODING" // a file that is not UTF-8 text (UTF-16, binary, a spreadsheet)
  | "EMPTY_FILE" // no header, or no data rows
  | "MISSING_COLUMN" // a required column is missing or a mapping names an absent column
  | "MALFORMED_ROW" // wrong field count, unterminated quote, a field over 1 MiB, invalid UTF-8
  | "INVALID_DATE" // not a date in a supported format, or not a real day
  | "AMBIGUOUS_DATE" // slash dates that fit both d/m/Y and m/d/Y: set `dateFormat`
  | "INVALID_AMOUNT" // an amount or quantity that cannot be read
  | "CANCELLED" // the caller aborted (AbortSignal)
  | "DATASET_FREED" // a Dataset used after free()
  | "INTERNAL" // a bug in clvkit; please report it
  | "INSUFFICIENT_DATA" // the data cannot identify a model (no repeat buyers, one customer, every T = 0)
  | "NO_FINITE_MEAN" // a model quantity with no finite value (Gamma-Gamma q ≤ 1: spend has no finite mean)
  | "SERIES_LIMIT"; // a model series did not converge within its term cap (extreme parameters or inputs)

/** Every error clvkit throws. `field` names the offending input (dotted path, e.g. "channels[1].spend"). */
export class ClvkitError extends Error {
  readonly name: "ClvkitError";
  readonly code: ErrorCode;
  readonly field: string | null;
  /** 1-based line of a file input; null for calculator inputs. */
  readonly line: number | null;
  /** 1-based column of a file input; null for calculator inputs. */
  readonly column: number | null;
  constructor(code: ErrorCode, message: string, field?: string | null, line?: number | null, column?: number | null);
}

/** A non-fatal remark attached to a result (never printed to the console). */
export interface Warning {
  code: string;
  field: string | null;
  message: string;
}

/** Options shared by every calculator. */
export interface OutputOptions {
  /** Decimal places of every Money output, 0–10; rounding half away from zero. Default 2. */
  decimals?: number;
}

/** How purchases per year and customer lifespan may be given (exactly one of each pair). */
export interface PurchasePattern {
  /** Average order value (revenue per purchase). */
  averageOrderValue: MoneyInput;
  /** Purchases per customer per year. Give this or `purchaseIntervalMonths`. */
  purchaseFrequency?: DecimalInput;
  /** One purchase every N months (frequency = 12 / N). Give this or `purchaseFrequency`. */
  purchaseIntervalMonths?: DecimalInput;
  /** Customer lifespan in years. Give this or `annualChurnRate`. */
  lifespanYears?: DecimalInput;
  /** Share of customers lost per year, in (0, 1]; lifespan = 1 / churn. Give this or `lifespanYears`. */
  annualChurnRate?: DecimalInput;
  /** Units per customer multiplying the value (e.g. vehicles per customer). Default 1. */
  multiplier?: DecimalInput;
}

/** Inputs echoed back normalised: every value as an exact decimal string. */
export interface PurchasePatternEcho {
  averageOrderValue: string;
  purchaseFrequency: string;
  lifespanYears: string;
  multiplier: string;
  purchaseIntervalMonths: string | null;
  annualChurnRate: string | null;
}

export interface SimpleClvInput extends PurchasePattern, OutputOptions {}

export interface SimpleClvResult {
  kind: "simple";
  /** averageOrderValue × purchaseFrequency × lifespanYears × multiplier */
  clv: Money;
  /** Revenue per customer per year: averageOrderValue × purchaseFrequency × multiplier. */
  annualValue: Money;
  inputs: PurchasePatternEcho & { decimals: number };
  formula: string;
}

export interface ProfitClvInput extends PurchasePattern, OutputOptions {
  /** Gross margin in percent, 0–100. Give this or `costOfGoodsPerOrder`. */
  grossMarginPercent?: DecimalInput;
  /** Cost of goods sold per order. Give this or `grossMarginPercent`. */
  costOfGoodsPerOrder?: MoneyInput;
  /** Cost to serve one customer for a year (support, shipping not in COGS...). Default 0. */
  yearlyServiceCost?: MoneyInput;
  /** Customer acquisition cost, subtracted once. Default 0. */
  cac?: MoneyInput;
}

export interface ProfitClvResult {
  kind: "profit";
  /** Revenue CLV, as simpleClv. */
  revenueClv: Money;
  /** averageOrderValue × margin, or averageOrderValue − costOfGoodsPerOrder. */
  grossProfitPerOrder: Money;
  /** The margin used, in percent (derived from costOfGoodsPerOrder when that was given). */
  grossMarginPercent: string;
  /** grossProfitPerOrder × purchaseFrequency × lifespanYears × multiplier */
  grossProfitClv: Money;
  /** yearlyServiceCost × lifespanYears */
  serviceCost: Money;
  /** grossProfitClv − serviceCost */
  profitClv: Money;
  /** profitClv − cac (may be negative: the customer costs more than they bring). */
  netClv: Money;
  inputs: PurchasePatternEcho & {
    grossMarginPercent: string | null;
    costOfGoodsPerOrder: string | null;
    yearlyServiceCost: string;
    cac: string;
    decimals: number;
  };
  formula: string;
}

export interface RetentionClvInput extends OutputOptions {
  /** Margin (or revenue) per customer per period. */
  marginPerPeriod: MoneyInput;
  /** Share of customers kept from one period to the next, in [0, 1]. Give this or `churnRate`. */
  retentionRate?: DecimalInput;
  /** Share lost per period, in (0, 1]; retention = 1 − churn. Give this or `retentionRate`. */
  churnRate?: DecimalInput;
  /** Discount rate per period, ≥ 0. Default 0. */
  discountRate?: DecimalInput;
  /** Also compute the discounted sum over this many periods (whole number, 1–10000). */
  horizonPeriods?: CountInput;
}

export interface RetentionClvResult {
  kind: "retention";
  retentionRate: number;
  churnRate: number;
  discountRate: number;
  /** 1 / churn; null when churn is 0 (retention = 1). */
  expectedLifetimePeriods: number | null;
  /** marginPerPeriod / churn (no discounting); null when churn is 0. */
  undiscountedClv: Money | null;
  /** m·(1+d)/(1+d−r): the first payment is made now, at acquisition, and counted. */
  clvFirstPaymentNow: Money;
  /** m·r/(1+d−r): only payments at the end of each later period the customer survives to. */
  clvFuturePaymentsOnly: Money;
  /** Σ_{t=0}^{N−1} m·r^t/(1+d)^t (first payment now), when horizonPeriods was given. */
  horizon: { periods: number; clv: Money } | null;
  inputs: {
    marginPerPeriod: string;
    retentionRate: string | null;
    churnRate: string | null;
    discountRate: string;
    horizonPeriods: number | null;
    decimals: number;
  };
  formulas: {
    undiscountedClv: string;
    clvFirstPaymentNow: string;
    clvFuturePaymentsOnly: string;
    horizon: string;
  };
}

export interface ChannelSpendInput {
  /** Channel name (1–200 characters), e.g. "paid search". */
  channel: string;
  spend: MoneyInput;
  newCustomers: CountInput;
}

/** Either one total (`spend` + `newCustomers`) or a list of `channels`, not both. */
export interface CacInput extends OutputOptions {
  spend?: MoneyInput;
  newCustomers?: CountInput;
  channels?: ChannelSpendInput[];
}

export interface ChannelCac {
  channel: string;
  spend: Money;
  newCustomers: number;
  /** spend / newCustomers; null when the channel brought no customers (a warning says so). */
  cac: Money | null;
  /** This channel's share of total spend, 0–1. */
  spendShare: number;
  /** This channel's share of new customers, 0–1. */
  customerShare: number;
}

export interface CacResult {
  kind: "cac";
  /** Total spend / total new customers. */
  blended: { spend: Money; newCustomers: number; cac: Money };
  /** One entry per input channel, in input order (empty for a single total). */
  channels: ChannelCac[];
  warnings: Warning[];
  formula: string;
}

export type RatioBand = "losing" | "weak" | "healthy" | "underInvesting";

export interface ClvCacRatioInput extends OutputOptions {
  clv: MoneyInput;
  cac: MoneyInput;
  /** For the payback period: revenue per customer per month. */
  monthlyRevenuePerCustomer?: MoneyInput;
  /** For the payback period: gross margin in percent, 0–100 (default 100). */
  grossMarginPercent?: DecimalInput;
}

export interface ClvCacRatioResult {
  kind: "clvCacRatio";
  /** clv / cac */
  ratio: number;
  /** < 1 losing; 1 to < 3 weak; 3 to 5 healthy; > 5 underInvesting. */
  band: RatioBand;
  verdict: string;
  /** Months to earn back CAC from gross profit; null without monthlyRevenuePerCustomer. */
  payback: {
    months: number;
    monthlyGrossProfit: Money;
    /** Under 12 months is the common health threshold. */
    withinTwelveMonths: boolean;
  } | null;
  inputs: {
    clv: string;
    cac: string;
    monthlyRevenuePerCustomer: string | null;
    grossMarginPercent: string;
    decimals: number;
  };
  formula: string;
}

export type Lever = "averageOrderValue" | "purchaseFrequency" | "lifespan" | "grossMargin" | "cac";

export interface WhatIfInput extends ProfitClvInput {
  /** The improvement tried on each lever, in percent (> 0, ≤ 1000). Default 10. CAC is lowered by it. */
  changePercent?: DecimalInput;
}

export interface LeverEffect {
  lever: Lever;
  /** Human-readable, e.g. "Average order value +10%". */
  label: string;
  /** The lever's value before and after the change, as exact decimal strings. */
  from: string;
  to: string;
  /** Net CLV (profit CLV − CAC) with this one lever changed. */
  netClv: Money;
  /** netClv − base netClv */
  delta: Money;
  /** delta / |base netClv| × 100; null when the base is 0. */
  deltaPercent: number | null;
  /** profitClv / cac after the change; null when cac is 0. */
  clvCacRatio: number | null;
}

export interface WhatIfResult {
  kind: "whatIf";
  changePercent: number;
  base: ProfitClvResult & { clvCacRatio: number | null };
  /** Every lever, largest gain first (ties keep the order of the Lever type). */
  levers: LeverEffect[];
}

export type CalculatorKind = "simple" | "profit" | "retention" | "cac" | "ratio" | "whatIf";

export function simpleClv(input: SimpleClvInput): SimpleClvResult;
export function profitClv(input: ProfitClvInput): ProfitClvResult;
export function retentionClv(input: RetentionClvInput): RetentionClvResult;
export function cac(input: CacInput): CacResult;
export function clvCacRatio(input: ClvCacRatioInput): ClvCacRatioResult;
export function whatIf(input: WhatIfInput): WhatIfResult;

// ---------------------------------------------------------------------------
// Transaction files: ingest once into wasm memory, analyse many times.

/** A column role of a transactions file (the keys of `IngestOptions.mapping`). */
export type Role =
  | "customerId" | "email" | "orderId" | "date" | "amount" | "quantity" | "unitPrice"
  | "productId" | "productName" | "category" | "channel" | "status";

export type DateFormat = "auto" | "ymd" | "dmy" | "mdy";
export type DecimalSeparator = "auto" | "dot" | "comma";
export type ReturnPolicy = "net" | "drop";
export type TimeUnit = "days" | "weeks" | "months";
/** A calendar date, "YYYY-MM-DD". */
export type IsoDate = string;

export interface IngestOptions {
  /** Field delimiter; sniffed among , ; tab | when absent. */
  delimiter?: "," | ";" | "\t" | "|" | "comma" | "semicolon" | "tab" | "pipe";
  /** Role → column header or 0-based index; `null` unmaps a role the automatic mapping chose. */
  mapping?: Partial<Record<Role, string | number | null>>;
  /** Order of slash dates; "auto" infers it from the data (default). */
  dateFormat?: DateFormat;
  /** "dot" = 1,234.50; "comma" = 1.234,50; "auto" infers it (default). */
  decimalSeparator?: DecimalSeparator;
  /** Returns and cancellations: net against revenue (default) or drop. */
  returns?: ReturnPolicy;
  /** Stop at the first bad row (throwing its ClvkitError) instead of skipping it. */
  strict?: boolean;
  /** Rejected rows described in the report (default 20, at most 1000). */
  maxErrorExamples?: number;
  /**
   * Orders dated after this day get a `FUTURE_DATES` warning; default: the computer's local date,
   * `null` for no check.
   */
  today?: IsoDate | null;
}

export interface MappedColumn { index: number; header: string }
export type ColumnMapping = Record<Role, MappedColumn | null> & { unmapped: string[] };

export interface RowError {
  line: number;
  /** 1-based field position; null when the whole row is at fault. */
  column: number | null;
  header: string | null;
  code: ErrorCode;
  message: string;
}

/** Every row accounted for: acceptedRows + rejectedRows === totalRows. */
export interface IngestReport {
  totalRows: number;
  acceptedRows: number;
  rejectedRows: number;
  rejectedByCode: Partial<Record<ErrorCode, number>>;
  errorExamples: RowError[];
  /** Accepted rows that are returns or cancellations, netted or dropped per `returns`. */
  returnRows: number;
  /** Accepted rows of failed, declined, voided or abandoned payments: never revenue, left out. */
  failedRows: number;
  returns: ReturnPolicy;
  warnings: Warning[];
  bytes: number;
  delimiter: string;
  headers: string[];
  mapping: ColumnMapping | null;
  /** The slash-date order used; null when the file had no slash dates. */
  dateFormat: DateFormat | null;
  decimalSeparator: DecimalSeparator | null;
  customers: number;
  orders: number;
  lines: number;
  /** How many parts the file was read in: 1, or, for Node's `ingestFile` of a file of 16 MiB or
   *  more, 2 when a worker thread read the last part, and one more for each piece before it the
   *  worker read too. The dataset is the same either way. */
  parts: number;
}

export interface IngestProgress { bytes: number; totalBytes: number | null; rows: number }

export interface AnalysisOptions {
  /** Unit of `recency` and `T` in the customer table (default "days"). */
  unit?: TimeUnit;
  /** End of the observation window, inclusive (default: the last transaction date). */
  asOf?: IsoDate;
}

/** A customer table column besides `customerId` (which every table has). */
export type CustomerColumn =
  | "frequency"
  | "recency"
  | "T"
  | "monetaryValue"
  | "firstPurchase"
  | "lastPurchase"
  | "orders"
  | "items"
  | "revenue"
  | "averageOrderValue";

export interface CustomerTableOptions extends AnalysisOptions {
  /**
   * Only these columns are computed and returned, with `customerId` (default: all). The money
   * and date texts are most of the table's cost: a caller that reads the BTYD columns only
   * should ask for those. The CSV names (`monetary_value`, ...) are accepted too. An unknown
   * name is an `OUT_OF_RANGE` error on the field `columns`.
   */
  columns?: readonly CustomerColumn[];
}

/** One row per customer with a purchase on or before asOf; BTYD columns as in lifetimes. */
export interface CustomerTable {
  unit: TimeUnit;
  asOf: IsoDate;
  customerId: string[];
  /** Repeat purchase periods (purchase days − 1 for "days"). */
  frequency: Float64Array;
  /** First to last purchase, in `unit`. */
  recency: Float64Array;
  /** First purchase to asOf, in `unit`. */
  T: Float64Array;
  /** Mean value of the repeat purchase periods (0 when frequency is 0). */
  monetaryValue: Float64Array;
  firstPurchase: IsoDate[];
  lastPurchase: IsoDate[];
  /** Purchases (orders that are not returns). */
  orders: Uint32Array;
  items: Float64Array;
  /** Net revenue, exact. */
  revenue: Money[];
  averageOrderValue: Money[];
}

export interface Kpis {
  asOf: IsoDate;
  firstPurchase: IsoDate;
  observedDays: number;
  revenue: Money;
  customers: number;
  orders: number;
  averageOrderValue: Money;
  /** orders / customers */
  purchaseFrequency: number;
  /** orders / customers / observed years */
  purchaseFrequencyPerYear: number;
  repeatPurchaseRate: number;
  revenuePerCustomer: Money;
  historicalClv: Money;
  retention: { month: string[]; active: number[]; retained: number[]; retentionRate: number[]; churnRate: number[] };
  meanRetentionRate: number | null;
  meanChurnRate: number | null;
  lifespanMonths: number | null;
  lifespanYears: number | null;
  simpleClv: Money | null;
  simpleClvFormula: string;
  warnings: Warning[];
}

/** Monthly acquisition cohorts; matrices are [cohort][months since first purchase]. */
export interface Cohorts {
  asOf: IsoDate;
  lastMonthComplete: boolean;
  cohort: string[];
  size: number[];
  active: number[][];
  revenue: Money[][];
  retention: number[][];
  /** Customers whose last purchase is k or more months after the cohort month (still subscribed at age k). */
  surviving: number[][];
}

export type Segment =
  | "champions" | "loyal" | "potentialLoyalist" | "new" | "promising" | "needAttention"
  | "aboutToSleep" | "atRisk" | "cannotLose" | "hibernating" | "lost";

export interface Rfm {
  asOf: IsoDate;
  customers: {
    customerId: string[];
    recencyDays: Uint32Array;
    frequency: Uint32Array;
    monetary: Money[];
    r: Uint8Array;
    f: Uint8Array;
    m: Uint8Array;
    fm: Uint8Array;
    segment: Segment[];
  };
  segments: { segment: Segment; label: string; customers: number; customerShare: number; revenue: Money; revenueShare: number | null }[];
}

export type LifecycleStage = "new" | "oneTime" | "activeRepeat" | "reactivated" | "atRisk" | "lapsed";

export interface LifecycleOptions {
  asOf?: IsoDate;
  /** A single purchase at most this many days ago is "new" (default 30). */
  newDays?: number;
  /** The shortest expected-repurchase window in days (default 90). */
  minWindowDays?: number;
  /** The window is this many median gaps when longer (default 2). */
  gapMultiple?: number;
  /** A single purchase at least this many days ago is "lapsed" (default 180). */
  singlePurchaseLapsedDays?: number;
}

export interface Lifecycle {
  asOf: IsoDate;
  customers: {
    customerId: string[];
    stage: LifecycleStage[];
    purchaseDays: Uint32Array;
    daysSinceLast: Uint32Array;
    /** NaN for a single purchase. */
    medianGapDays: Float64Array;
    windowDays: Float64Array;
  };
  stages: { stage: LifecycleStage; customers: number; share: number }[];
}

export interface AcquisitionOptions {
  asOf?: IsoDate;
  /** Spend per channel: one total per channel, or per month ("YYYY-MM"). */
  spend: { channel: string; month?: string; spend: MoneyInput }[];
  /** Applied to revenue for the payback period (default 100). */
  grossMarginPercent?: DecimalInput;
}

export interface ChannelAcquisition {
  channel: string;
  newCustomers: number;
  customerShare: number;
  spend: Money | null;
  spendShare: number | null;
  cac: Money | null;
  revenue: Money;
  historicalClv: Money | null;
  customerMonths: number;
  monthlyRevenuePerCustomer: Money | null;
  clvCacRatio: number | null;
  band: RatioBand | null;
  paybackMonths: number | null;
  paybackWithinTwelveMonths: boolean | null;
}

export interface Acquisition {
  asOf: IsoDate;
  channels: ChannelAcquisition[];
  cohorts: {
    channel: string[];
    month: string[];
    newCustomers: number[];
    spend: (Money | null)[];
    cac: (Money | null)[];
    revenue: Money[];
    historicalClv: (Money | null)[];
  };
  blended: { spend: Money; newCustomers: number; cac: Money } | null;
  unattributed: { newCustomers: number; revenue: Money; historicalClv: Money | null };
  channelsWithoutCustomers: string[];
  channelsWithoutSpend: string[];
  warnings: Warning[];
  formula: string;
}

/** An ingested file held in wasm memory. Call `free()` when done. */
export class Dataset {
  private constructor();
  readonly report: IngestReport;
  customers(options?: AnalysisOptions): CustomerTable;
  /** The table with only the columns named (and `customerId`). */
  customers<C extends CustomerColumn>(
    options: AnalysisOptions & { columns: readonly C[] },
  ): Pick<CustomerTable, "unit" | "asOf" | "customerId" | C>;
  /** CSV with header `customer_id,frequency,recency,T,monetary_value,...` (or `customer_id` and the
   *  `columns` asked for, in the table's order); text cells are neutralised against formula injection. */
  customersCsv(options?: CustomerTableOptions): string;
  kpis(options?: Pick<AnalysisOptions, "asOf">): Kpis;
  cohorts(options?: Pick<AnalysisOptions, "asOf">): Cohorts;
  /**
   * sBG retention fitted to the monthly cohorts read as subscriptions (a customer is subscribed
   * through the month of their last purchase); complete months only. Periods are months.
   */
  fitSbg(options?: Pick<AnalysisOptions, "asOf"> & SbgOptions): SbgResult & {
    /** The survival rows fitted: `[size, still paying 1 month on, ...]` per cohort. */
    cohorts: number[][];
  };
  rfm(options?: Pick<AnalysisOptions, "asOf">): Rfm;
  lifecycle(options?: LifecycleOptions): Lifecycle;
  /** The per-customer RFM table as CSV (formula-safe like customersCsv). */
  rfmCsv(options?: Pick<AnalysisOptions, "asOf">): string;
  /** The per-customer lifecycle table as CSV (formula-safe like customersCsv). */
  lifecycleCsv(options?: LifecycleOptions): string;
  acquisition(options: AcquisitionOptions): Acquisition;
  /** Fits a transaction model (and Gamma-Gamma for spend) to the per-customer table. */
  fit(options?: ModelOptions): ModelFits;
  /** Per-customer predictions from a freshly fitted model, columnar. */
  predict(options?: PredictOptions): Predictions;
  /** The predictions as CSV: `customer_id,p_alive,expected_purchases,expected_spend,clv,[dert,]churn_risk`. */
  predictCsv(options?: PredictOptions): string;
  /** Every transaction model fitted before `calibrationEnd`, validated on the purchases after it, ranked. */
  validateModels(options: ValidateOptions): ModelValidation;
  /** Frequent itemsets of the orders (FP-growth; one basket per order, returns left out). */
  itemsets(options?: RulesOptions): ItemsetsResult;
  /** Association rules of the orders, with mlxtend's metrics. */
  rules(options?: RulesOptions): RulesResult;
  /** The rules as CSV (mlxtend's column names; formula-safe; `inf` for infinite conviction). */
  rulesCsv(options?: RulesOptions): string;
  /** Item-to-item similarity: each item's top-k "also bought" items. */
  similarity(options?: SimilarityOptions): SimilarityResult;
  /** Upsell paths: pricier items of the same category that customers actually moved up to. */
  upsell(options?: UpsellOptions): UpsellResult;
  /** Next-best offers per customer (expected value and a reason) and per RFM segment. */
  offers(options?: OffersOptions): OffersResult;
  offersCsv(options?: OffersOptions): string;
  /** Offers trained on the orders before `cutDate`, scored on the purchases after it, with two baselines. */
  evaluateOffers(options: EvaluateOffersOptions): OfferEvaluation;
  /** Releases the wasm memory (also run by `using` where Symbol.dispose exists); safe to call twice. */
  free(): void;
}

export type TransactionModelName = "bgNbd" | "mbgNbd" | "paretoNbd";

/**
 * A progress report of a model fit (see `ModelOptions.onProgress`). Each fit reports after every
 * optimiser iteration (phase "fitting"; not every iteration reports), then once before the
 * standard errors and once when done, so at most `maxIterations` + 2 times.
 */
export interface FitProgress {
  /** The model being fitted. */
  model: TransactionModelName | "gammaGamma";
  /**
   * This fit's place (0-based) among the `fits` fits of the call: `fit` and `predict` fit the
   * transaction model (0) and, with monetary values, Gamma-Gamma (1 of 2); `validateModels` fits
   * "bgNbd", "mbgNbd", "paretoNbd" as 0, 1, 2 of 3.
   */
  fit: number;
  fits: number;
  phase: "fitting" | "standardErrors" | "done";
  /** Optimiser iterations so far, increasing within a fit; the final one equals the fit's `iterations`. */
  iteration: number;
  /** Log-likelihood at the current parameters (minus the L2 penalty when `penalizer` > 0); rises as the fit goes. */
  logLikelihood: number;
  /** Largest |∂(−LL/N)/∂ ln p| at the current parameters; the fit converges below 1e-9. */
  gradientNorm: number;
}

/**
 * Called from inside the (synchronous) fitting call with each progress report. Throwing from it
 * stops the call, and what it threw reaches the caller unchanged (as with offers and ingest).
 */
export type FitProgressCallback = (progress: FitProgress) => void;

export interface ModelOptions {
  /** Default "bgNbd". */
  model?: TransactionModelName;
  /** Time unit of the fit (for a SummaryDataset: the unit of the file's recency and T). Default "days". */
  unit?: TimeUnit;
  /** Observation end ("YYYY-MM-DD"; Dataset only), default the last order day. */
  asOf?: string;
  /** L2 penalty as lifetimes' penalizer_coef, in [0, 1000] (default 0). */
  penalizer?: number;
  /** Most BFGS iterations (default 1000). */
  maxIterations?: number;
  /** Hears the fits' progress (see `FitProgress`). */
  onProgress?: FitProgressCallback;
}

export interface PredictOptions extends ModelOptions {
  /** Span of expectedPurchases and probPurchases, in `unit` (default one month). */
  horizon?: number;
  /** probPurchases[n] for n = 0..maxPurchases (default 0). */
  maxPurchases?: number;
  /** CLV horizon in months (default 12). */
  horizonMonths?: number;
  /** Monthly discount rate of the CLV (default 0.01); with Pareto/NBD and a rate above 0, DERT too. */
  monthlyDiscountRate?: number;
  /** CLV as profit: gross margin in percent (default 100, revenue). */
  grossMarginPercent?: number;
  /** Length of a month in `unit` (default 30.436875 days, 4.348125 weeks, 1 month). */
  unitsPerMonth?: number;
}

export interface Fit<P> {
  params: P;
  /** From the Hessian (delta method); null when it is not positive definite (a warning says so). */
  stdErrors: P | null;
  logLikelihood: number;
  iterations: number;
  gradientNorm: number;
  converged: boolean;
  unit: TimeUnit | null;
  customers: number;
  warnings: Warning[];
}

export type TransactionParams =
  | { model: "bgNbd" | "mbgNbd"; r: number; alpha: number; a: number; b: number }
  | { model: "paretoNbd"; r: number; alpha: number; s: number; beta: number };

export interface ModelFits {
  transactions: Fit<TransactionParams>;
  /** Gamma-Gamma (p, q, and the scale gamma, called v in Fader & Hardie); null without repeat spend. */
  spend: Fit<{ p: number; q: number; gamma: number }> | null;
  warnings: Warning[];
}

export interface Predictions {
  fits: ModelFits;
  model: TransactionModelName;
  unit: TimeUnit;
  horizon: number;
  newCustomer: {
    model: TransactionModelName;
    horizon: number;
    pAlive: number;
    expectedPurchases: number;
    probPurchases: number[];
    expectedSpend: number | null;
    clv: number | null;
    dert: number | null;
  };
  customers: {
    customerId: string[];
    pAlive: Float64Array;
    /** Expected repeat purchases in the next `horizon`. */
    expectedPurchases: Float64Array;
    /** Gamma-Gamma's expected average order value (absent without a spend model). */
    expectedSpend?: Float64Array;
    /** Discounted CLV over horizonMonths (absent without a spend model). */
    clv?: Float64Array;
    /** Pareto/NBD's discounted expected residual transactions. */
    dert?: Float64Array;
    churnRisk: ("low" | "medium" | "high")[];
    /** probPurchases[n][i]: P(exactly n purchases in the horizon) for customer i. */
    probPurchases: Float64Array[];
  };
  warnings: Warning[];
}

export interface ValidateOptions {
  calibrationEnd: string;
  observationEnd?: string;
  unit?: TimeUnit;
  /** Frequency buckets 0..maxFrequency-1 and "maxFrequency+" (default 7). */
  maxFrequency?: number;
  trackingPoints?: number;
  penalizer?: number;
  maxIterations?: number;
  /** Hears each model's fit (fits 0, 1, 2 of 3; see `FitProgress`). */
  onProgress?: FitProgressCallback;
}

export interface HoldoutError {
  mae: number;
  rmse: number;
  totalError: number;
  predictedTotal: number;
  actualTotal: number;
}

export interface ModelValidation {
  best: TransactionModelName;
  ranking: { model: TransactionModelName; logLikelihood: number | null; converged: boolean; error: HoldoutError | null; failure: string | null }[];
  fits: Fit<TransactionParams>[];
  validations: {
    model: TransactionModelName;
    customers: number;
    error: HoldoutError;
    buckets: { label: string[]; customers: number[]; predicted: number[]; actual: number[] };
    tracking: { period: number[]; predicted: number[]; actual: number[] };
    histogram: { label: string[]; expected: number[]; observed: number[] };
    predicted: number[];
  }[];
}

/** mlxtend's rule metrics, by their JS names (mlxtend's names are accepted too, e.g. "zhangs_metric"). */
export type RuleMetric =
  | "antecedentSupport"
  | "consequentSupport"
  | "support"
  | "confidence"
  | "lift"
  | "leverage"
  | "conviction"
  | "zhangsMetric"
  | "jaccard"
  | "certainty"
  | "kulczynski";

export interface RulesOptions {
  /** Share of baskets an itemset must be in, in (0, 1]; default 0.01. */
  minSupport?: number;
  /** Longest itemset (default: no limit). */
  maxLen?: number;
  /** A basket keeps at most this many of its most frequent items (default 500; a warning says when applied). */
  maxBasketItems?: number;
  /** Stop after this many itemsets (default 1,000,000; `complete` turns false). */
  maxItemsets?: number;
  /** Keep rules with each metric within [min, max]. */
  filters?: { metric: RuleMetric; min?: number; max?: number }[];
  /** Keep rules whose antecedent has one of these items. */
  antecedentAny?: string[];
  consequentAny?: string[];
  /** Leave out rules that mention these items. */
  excludeItems?: string[];
  maxAntecedentLen?: number;
  maxConsequentLen?: number;
  /** At most this many rules, best by `sortBy` first (default 10,000; at most 1,000,000, which bounds memory). */
  maxRules?: number;
  /** Default "lift". */
  sortBy?: RuleMetric;
}

export interface ItemsetsResult {
  baskets: number;
  minCount: number;
  complete: boolean;
  /** `itemset`: the item names sorted and joined by "|" ("BAG|CAM"). */
  itemsets: { itemset: string[]; size: Uint32Array; count: Uint32Array; support: Float64Array };
  warnings: Warning[];
}

export interface RulesResult {
  baskets: number;
  itemsets: number;
  complete: boolean;
  /** Rules that passed every filter, before the maxRules cap. */
  matched: number;
  /** Item lists are the names sorted and joined by "|" ("BAG|CAM"); conviction is Infinity when confidence is 1. */
  rules: { antecedents: string[]; consequents: string[] } & Record<RuleMetric, Float64Array>;
  warnings: Warning[];
}

export interface SimilarityOptions {
  /** Similar items kept per item (default 10). */
  topK?: number;
  /** Pairs need at least this many customers who bought both (default 2). */
  minCoBuyers?: number;
  /** A customer with more distinct items keeps their most popular ones (default 300). */
  maxItemsPerCustomer?: number;
}

export interface SimilarityResult {
  /** Customers who bought anything. */
  customers: number;
  pairs: {
    itemId: string[];
    otherId: string[];
    rank: Uint32Array;
    coBuyers: Uint32Array;
    itemBuyers: Uint32Array;
    otherBuyers: Uint32Array;
    cosine: Float64Array;
    /** coBuyers / itemBuyers: "x% of buyers of item also bought other". */
    alsoBought: Float64Array;
    /** Co-buyers expected if the two were bought independently. */
    expected: Float64Array;
    lift: Float64Array;
    /** Dunning's log-likelihood ratio, signed (negative when bought together less than expected). */
    llr: Float64Array;
  };
  warnings: Warning[];
}

export interface UpsellOptions {
  topK?: number;
  /** Paths need at least this many customers who moved up (default 1). */
  minMovers?: number;
  maxItemsPerCustomer?: number;
  /** Decimal places of the prices shown (default 2). */
  decimals?: number;
}

export interface UpsellResult {
  paths: {
    itemId: string[];
    targetId: string[];
    category: string[];
    rank: Uint32Array;
    /** Median unit prices, exact. */
    itemPrice: Money[];
    targetPrice: Money[];
    movers: Uint32Array;
    itemBuyers: Uint32Array;
    /** movers / itemBuyers. */
    rate: Float64Array;
    /** Median price step the movers paid. */
    medianStep: Money[];
  };
  warnings: Warning[];
}

/** A progress report of a long cross-sell call (see `OffersOptions.onProgress`). */
export interface CrossSellProgress {
  /** "rules", "similarity", "upsell": 0 of 1, then 1 of 1. "scoring", "evaluating": customers done of all customers. */
  stage: "rules" | "similarity" | "upsell" | "scoring" | "evaluating";
  done: number;
  total: number;
}

export interface OffersOptions {
  /** Offers per customer, at most (default 3). */
  topN?: number;
  /** Relevance floor: a candidate whose estimated P(purchase) is below this is not offered (0–1, default 0.05; 0: off). */
  minProbability?: number;
  /** Re-offer a bought item when its repeat-purchase rate is at least this (default 0.3; null: never). */
  repeatMinRate?: number | null;
  /** Default "expectedValue". */
  rankBy?: "expectedValue" | "probability";
  /** Offers listed per segment (default 5). */
  segmentTop?: number;
  decimals?: number;
  /** Where candidates come from (default all three). */
  sources?: ("rules" | "similar" | "upsell")[];
  /** Weigh each offer by the customer's P(alive) from this model fitted to the dataset (default: P(alive) = 1). */
  model?: TransactionModelName;
  /** Margin per unit by product id; other products are valued at their median price. */
  margins?: Record<string, MoneyInput>;
  rules?: RulesOptions;
  similarity?: SimilarityOptions;
  upsell?: UpsellOptions;
  /**
   * Called from inside the (synchronous) call at each stage; throwing from it stops the call and the
   * thrown value reaches the caller unchanged.
   */
  onProgress?: (progress: CrossSellProgress) => void;
}

export interface OffersResult {
  offers: {
    customerId: string[];
    rank: Uint32Array;
    itemId: string[];
    /** Estimated probability of purchase. */
    probability: Float64Array;
    /** Margin (or price) per unit. */
    value: Money[];
    pAlive: Float64Array;
    /** probability × value × pAlive. */
    expectedValue: Float64Array;
    source: ("rule" | "similar" | "upsell")[];
    /** E.g. "bought X; 34% of X buyers also bought Y, lift 4.1". */
    reason: string[];
  };
  segments: {
    segment: string;
    customers: number;
    customersWithOffers: number;
    expectedValue: number;
    topOffers: { itemId: string; customers: number; firstChoice: number; share: number; expectedValue: number }[];
  }[];
  /** Candidates not offered because their probability was below `minProbability`. */
  belowFloor: number;
  warnings: Warning[];
}

export interface EvaluateOffersOptions {
  /** Train before this day, test on the purchases from it on ("YYYY-MM-DD"). */
  cutDate: string;
  /** Offers per customer scored (default 5). */
  k?: number;
  rules?: RulesOptions;
  similarity?: SimilarityOptions;
  upsell?: UpsellOptions;
  offers?: Pick<OffersOptions, "topN" | "minProbability" | "repeatMinRate" | "rankBy" | "segmentTop" | "decimals">;
  /** As in `OffersOptions`; the stages end with "evaluating". */
  onProgress?: (progress: CrossSellProgress) => void;
}

export interface OfferEvaluation {
  cutDate: string;
  k: number;
  trainOrders: number;
  testOrders: number;
  evaluatedCustomers: number;
  catalogueItems: number;
  /** Means over the evaluated customers; NDCG@k with binary relevance (README "Offline evaluation"). */
  models: {
    model: "nextBestOffer" | "popularity" | "ownMostBought";
    precisionAtK: number;
    recallAtK: number;
    hitRate: number;
    ndcgAtK: number;
    coverage: number;
  }[];
  warnings: Warning[];
}

/** A baskets file: one basket per line, comma-separated item ids, no header. */
export class Baskets {
  private constructor();
  readonly report: BasketReport;
  itemsets(options?: RulesOptions): ItemsetsResult;
  rules(options?: RulesOptions): RulesResult;
  rulesCsv(options?: RulesOptions): string;
  free(): void;
}

export interface BasketReport {
  totalRows: number;
  acceptedRows: number;
  rejectedRows: number;
  rejectedByCode: Partial<Record<ErrorCode, number>>;
  errorExamples: RowError[];
  baskets: number;
  distinctItems: number;
  itemOccurrences: number;
  /** Items repeated within a basket (counted once). */
  duplicateItems: number;
  emptyFields: number;
  bytes: number;
}

/** Streams a baskets file into wasm memory (as `ingest` does a transactions file). */
export function ingestBaskets(
  source: IngestSource,
  options?: SummaryIngestOptions,
  control?: { onProgress?: (progress: IngestProgress) => void; signal?: AbortSignal },
): Promise<Baskets>;

export type IngestSource =
  | string
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/**
 * Streams a transactions file into wasm memory in chunks (a 1 GB file is never one string) and
 * returns the Dataset. Bad rows are skipped and reported (or, with `strict`, thrown).
 */
export function ingest(
  source: IngestSource,
  options?: IngestOptions,
  control?: { onProgress?: (progress: IngestProgress) => void; signal?: AbortSignal },
): Promise<Dataset>;

export interface SummaryIngestOptions {
  delimiter?: IngestOptions["delimiter"];
  strict?: boolean;
  maxErrorExamples?: number;
}

export interface SummaryReport {
  totalRows: number;
  acceptedRows: number;
  rejectedRows: number;
  rejectedByCode: Partial<Record<ErrorCode, number>>;
  errorExamples: RowError[];
  delimiter: string;
  headers: string[];
  hasMonetaryValue: boolean;
}

/** A pre-aggregated BTYD summary; `monetaryValue` is empty when the file had no such column. */
export interface SummaryTable {
  customerId: string[];
  frequency: Float64Array;
  recency: Float64Array;
  T: Float64Array;
  monetaryValue?: Float64Array;
}

/** A summary file held in wasm memory. Call `free()` when done. */
export class SummaryDataset {
  private constructor();
  readonly report: SummaryReport;
  customers(): SummaryTable;
  customersCsv(): string;
  free(): void;
  fit(options?: Omit<ModelOptions, "asOf">): ModelFits;
  predict(options?: Omit<PredictOptions, "asOf">): Predictions;
  predictCsv(options?: Omit<PredictOptions, "asOf">): string;
}

/**
 * Reads a pre-aggregated summary file (`customer_id,frequency,recency,T[,monetary_value]`, e.g. made
 * with the README's DuckDB SQL from data too big for a browser). Inconsistent rows (recency > T,
 * fractional frequency, duplicates) are rejected and reported.
 */
export function ingestSummary(
  source: IngestSource,
  options?: SummaryIngestOptions,
  control?: { onProgress?: (progress: IngestProgress) => void; signal?: AbortSignal },
): Promise<SummaryDataset>;

/**
 * Shifted-beta-geometric retention (Fader & Hardie) fitted to subscription cohorts, each
 * `[size, active after 1 period, after 2, ...]`, with its forecast.
 */
export function fitSbg(input: { cohorts: (number | string)[][] } & SbgOptions): SbgResult;

/** The forecast and fit options of `fitSbg` and `Dataset.fitSbg`. */
export interface SbgOptions {
  /** Forecast horizon in periods (default 12). */
  periods?: number;
  /** Discount rate per period for DEL and DERL (default 0.1). */
  discountRate?: number;
  /** Renewals made by the subscriber whose DERL is wanted (default 0). */
  renewals?: number;
  penalizer?: number;
  maxIterations?: number;
}

export interface SbgResult {
  fit: Fit<{ alpha: number; beta: number }>;
  /** Share of a new cohort active after 0..periods periods (1 at 0). */
  survival: number[];
  /** Retention rate of periods 1..periods. */
  retention: number[];
  discountedExpectedLifetime: number;
  discountedExpectedResidualLifetime: number;
  discountRate: number;
  renewals: number;
}

/** The crate version of the loaded wasm module. */
export function version(): string;

/**
 * Browser and bundler entry: loads the wasm once (later calls return the same promise).
 * `source` may be a URL, a Response, bytes or a WebAssembly.Module; by default the
 * `clvkit_bg.wasm` next to the package's JS. The Node entry is ready at import and its init is a no-op.
 */
export function init(source?: string | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
/** True once the wasm module is loaded. */
export function isReady(): boolean;

export default init;
