// Handles to data living in wasm memory: a Dataset (an ingested transactions file) and a
// SummaryDataset (a pre-aggregated summary file). Ingest once, analyse many times, free explicitly.
import { ClvkitError, toClvkitError } from "./errors.js";

/**
 * The cells of a packed text column (`{ text, ends }`: all cells joined, each cell's end as a UTF-16
 * offset); with `codes`, those are the column's distinct values and row i is `values[codes[i]]`.
 */
function cellsOf({ text, ends, codes }) {
  const values = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    values[i] = text.substring(start, ends[i]);
    start = ends[i];
  }
  if (!(codes instanceof Uint32Array)) return values;
  const cells = new Array(codes.length);
  for (let i = 0; i < codes.length; i++) cells[i] = values[codes[i]] ?? "";
  return cells;
}

/**
 * Turns the text columns of a columnar table, which cross from wasm packed as `{ text, ends }`,
 * into `string[]` properties, in place. Each is unpacked when first read (then it is a plain data
 * property), so columns nobody reads cost no JS strings; enumeration, spreading and
 * `JSON.stringify` read them like any property.
 */
function unpackStrings(table) {
  for (const [key, value] of Object.entries(table)) {
    if (value === null || typeof value !== "object" || !(value.ends instanceof Uint32Array) || typeof value.text !== "string") continue;
    Object.defineProperty(table, key, {
      configurable: true,
      enumerable: true,
      get() {
        const cells = cellsOf(value);
        Object.defineProperty(table, key, { value: cells, writable: true, configurable: true, enumerable: true });
        return cells;
      },
      set(cells) {
        Object.defineProperty(table, key, { value: cells, writable: true, configurable: true, enumerable: true });
      },
    });
  }
  return table;
}

class WasmHandle {
  #handle;

  constructor(handle) {
    this.#handle = handle;
  }

  /** Calls a method of the wasm handle, mapping errors; throws DATASET_FREED after free(). */
  call(method, ...args) {
    if (this.#handle === null) {
      throw new ClvkitError("DATASET_FREED", `this dataset was freed: ${method}() needs a new ingest`);
    }
    try {
      return this.#handle[method](...args);
    } catch (e) {
      throw toClvkitError(e);
    }
  }

  /**
   * Calls `method` with `options` minus `onProgress`, which is passed to wasm as a function called
   * from inside the (synchronous) call with each progress event. An exception it throws stops the
   * call and reaches the caller unchanged.
   */
  callWithProgress(method, options) {
    if (options === null || typeof options !== "object" || !Object.hasOwn(options, "onProgress")) return this.call(method, options);
    const { onProgress, ...rest } = options;
    if (onProgress === undefined) return this.call(method, rest);
    if (typeof onProgress !== "function") {
      throw new ClvkitError("INVALID_INPUT", `onProgress must be a function, got ${onProgress === null ? "null" : typeof onProgress}`, "onProgress");
    }
    let thrown = null;
    const report = (event) => {
      try {
        onProgress(event);
      } catch (e) {
        thrown = { error: e };
        throw e;
      }
    };
    try {
      return this.call(method, rest, report);
    } catch (e) {
      if (thrown) throw thrown.error;
      throw e;
    }
  }

  /** What the ingest accepted, rejected (with examples) and decided. */
  get report() {
    return this.call("report");
  }

  /** Releases the wasm memory; later calls throw DATASET_FREED. Safe to call twice. */
  free() {
    if (this.#handle !== null) {
      this.#handle.free();
      this.#handle = null;
    }
  }
}

// `using ds = await ingest(...)` frees the handle where explicit resource management exists.
if (typeof Symbol.dispose === "symbol") {
  WasmHandle.prototype[Symbol.dispose] = function dispose() {
    this.free();
  };
}

/** What has market baskets (a dataset's orders, or a baskets file): frequent itemsets and rules. */
/** What the predictive models run on (a dataset's customer table, or a summary file). */
class ModelSource extends WasmHandle {
  /**
   * Fits a transaction model (BG/NBD, MBG/NBD or Pareto/NBD) and, when possible, Gamma-Gamma;
   * `onProgress` hears each optimiser iteration (see `FitProgress` in index.d.ts).
   */
  fit(options = {}) {
    return this.callWithProgress("fit", options);
  }

  /** Per-customer predictions (P(alive), expected purchases, P(n), spend, CLV, churn risk), columnar. */
  predict(options = {}) {
    return withTable(this.callWithProgress("predict", options), "customers");
  }

  /** The per-customer predictions as CSV (`customer_id,p_alive,expected_purchases,...`). */
  predictCsv(options = {}) {
    return this.callWithProgress("predictCsv", options);
  }
}

class BasketSource extends WasmHandle {
  /** Frequent itemsets (FP-growth; from a dataset, one basket per order, returns left out). */
  itemsets(options = {}) {
    return withTable(this.call("itemsets", options), "itemsets");
  }

  /** Association rules with mlxtend's metrics. */
  rules(options = {}) {
    return withTable(this.call("rules", options), "rules");
  }

  rulesCsv(options = {}) {
    return this.call("rulesCsv", options);
  }
}

/** An ingested transactions file. */
export class Dataset extends BasketSource {
  /** Per-customer table, including the BTYD summary (frequency, recency, T, monetaryValue). */
  customers(options = {}) {
    return unpackStrings(this.call("customers", options));
  }

  /** The per-customer table as CSV text (`customer_id,frequency,recency,T,monetary_value,...`). */
  customersCsv(options = {}) {
    return this.call("customersCsv", options);
  }

  kpis(options = {}) {
    return this.call("kpis", options);
  }

  cohorts(options = {}) {
    return this.call("cohorts", options);
  }

  /** sBG retention fitted to the monthly cohorts read as subscriptions (one payment a month). */
  fitSbg(options = {}) {
    return this.call("fitSbg", options);
  }

  rfm(options = {}) {
    return withTable(this.call("rfm", options), "customers");
  }

  lifecycle(options = {}) {
    return withTable(this.call("lifecycle", options), "customers");
  }

  rfmCsv(options = {}) {
    return this.call("rfmCsv", options);
  }

  lifecycleCsv(options = {}) {
    return this.call("lifecycleCsv", options);
  }

  /** CAC, CLV:CAC and payback per acquisition channel from the spend you supply. */
  acquisition(options) {
    return this.call("acquisition", options);
  }

  /** Item-to-item similarity: top-k "also bought" items per item (cosine, lift, LLR). */
  similarity(options = {}) {
    return withTable(this.call("similarity", options), "pairs");
  }

  /** Upsell paths: pricier items of the same category that customers moved up to. */
  upsell(options = {}) {
    return withTable(this.call("upsell", options), "paths");
  }

  /** Next-best offers per customer (expected value, reason) and per RFM segment. */
  offers(options = {}) {
    return withTable(this.callWithProgress("offers", options), "offers");
  }

  offersCsv(options = {}) {
    return this.callWithProgress("offersCsv", options);
  }

  /** Every transaction model fitted before `calibrationEnd` and validated on the purchases after it. */
  validateModels(options) {
    return this.callWithProgress("validateModels", options);
  }

  /** Offers trained before `cutDate`, scored on purchases after it, against two baselines. */
  evaluateOffers(options) {
    return this.callWithProgress("evaluateOffers", options);
  }
}

/** Unpacks the text columns of `result[key]`, a columnar table; returns `result`. */
function withTable(result, key) {
  unpackStrings(result[key]);
  return result;
}

/** A baskets file (one basket per line, comma-separated item ids). */
export class Baskets extends BasketSource {}

// A dataset has both baskets (its orders) and a customer table to model.
for (const name of Object.getOwnPropertyNames(ModelSource.prototype)) {
  if (name !== "constructor") Object.defineProperty(Dataset.prototype, name, Object.getOwnPropertyDescriptor(ModelSource.prototype, name));
}

/** A pre-aggregated summary file (`customer_id,frequency,recency,T[,monetary_value]`). */
export class SummaryDataset extends ModelSource {
  customers() {
    return unpackStrings(this.call("customers"));
  }

  customersCsv() {
    return this.call("customersCsv");
  }
}
