// A Dataset is an ingested file living in wasm memory: ingest once, analyse many times, free
// explicitly. Per-customer tables come back columnar (typed arrays and string arrays).
import { ClvkitError, toClvkitError } from "./errors.js";

export class Dataset {
  #handle;

  /** @internal Created by `ingest()`; not meant to be constructed directly. */
  constructor(handle) {
    this.#handle = handle;
  }

  #call(method, ...args) {
    if (this.#handle === null) {
      throw new ClvkitError("DATASET_FREED", `this dataset was freed: ${method}() needs a new ingest()`);
    }
    try {
      return this.#handle[method](...args);
    } catch (e) {
      throw toClvkitError(e);
    }
  }

  /** What the ingest accepted, rejected (with examples) and decided (mapping, formats). */
  get report() {
    return this.#call("report");
  }

  /** Per-customer table, including the BTYD summary (frequency, recency, T, monetary_value). */
  customers(options = {}) {
    return this.#call("customers", options);
  }

  /** The per-customer table as CSV text (`customer_id,frequency,recency,T,monetary_value,...`). */
  customersCsv(options = {}) {
    return this.#call("customersCsv", options);
  }

  kpis(options = {}) {
    return this.#call("kpis", options);
  }

  cohorts(options = {}) {
    return this.#call("cohorts", options);
  }

  rfm(options = {}) {
    return this.#call("rfm", options);
  }

  lifecycle(options = {}) {
    return this.#call("lifecycle", options);
  }

  /** CAC, CLV:CAC and payback per acquisition channel from the spend you supply. */
  acquisition(options) {
    return this.#call("acquisition", options);
  }

  /** Releases the wasm memory; later calls throw DATASET_FREED. Safe to call twice. */
  free() {
    if (this.#handle !== null) {
      this.#handle.free();
      this.#handle = null;
    }
  }
}

// `using ds = await ingest(...)` frees the dataset where explicit resource management exists.
if (typeof Symbol.dispose === "symbol") {
  Dataset.prototype[Symbol.dispose] = function dispose() {
    this.free();
  };
}
