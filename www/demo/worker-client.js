// The page's side of the analysis worker's protocol (described in www/worker.js): one promise per
// request, progress callbacks, and cancellation through an AbortSignal.

export class AnalysisWorker {
  #worker;
  #pending = new Map();
  #next = 1;

  constructor(url) {
    this.#worker = new Worker(url, { type: "module" });
    this.#worker.addEventListener("message", ({ data }) => {
      const request = this.#pending.get(data.id);
      if (!request) return;
      if (data.type === "progress") {
        request.onProgress?.(data.progress);
        return;
      }
      this.#pending.delete(data.id);
      request.cleanup();
      if (data.type === "done") request.resolve(data.result);
      else request.reject(Object.assign(new Error(data.error.message), data.error));
    });
    this.#worker.addEventListener("error", (e) => {
      const error = Object.assign(new Error(`The analysis worker failed: ${e.message ?? "could not start"}`), { code: "WORKER_FAILED" });
      for (const request of this.#pending.values()) request.reject(error);
      this.#pending.clear();
    });
  }

  /**
   * Sends `{ type, ...payload }` and resolves with the worker's result; `onProgress` receives its
   * progress messages and aborting `signal` cancels it (the promise then rejects with CANCELLED).
   */
  request(type, payload = {}, { onProgress, signal, transfer = [] } = {}) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const abort = () => this.#worker.postMessage({ id, type: "cancel" });
      signal?.addEventListener("abort", abort, { once: true });
      const cleanup = () => signal?.removeEventListener("abort", abort);
      this.#pending.set(id, { resolve, reject, onProgress, cleanup });
      this.#worker.postMessage({ id, type, ...payload }, transfer);
    });
  }
}
