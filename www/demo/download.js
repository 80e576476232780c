// CSV exports: the worker writes the bytes (the library's formula-safe CSVs), the page saves them
// as a download through a blob: URL, so nothing leaves the device.
import { h } from "../app.js";

function save(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  h("a", { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Asks the worker for the `kind` CSV (exportCsv) and saves it as clvkit-<kind>.csv. */
export async function downloadCsv(worker, kind, options = {}) {
  const { bytes } = await worker.request("exportCsv", { kind, options });
  save(bytes, `clvkit-${kind}.csv`, "text/csv;charset=utf-8");
}

/**
 * A panel's "… CSV" button; `options()` gives the export options at click time (the table's current
 * thresholds). A failure is said next to the button.
 */
export function csvButton(worker, kind, label, options = () => ({})) {
  const button = h("button", { type: "button", class: "secondary", dataset: { csv: kind } }, label);
  const error = h("span", { class: "status-error", role: "alert" });
  button.addEventListener("click", () => {
    error.textContent = "";
    downloadCsv(worker, kind, options()).catch((e) => (error.textContent = `Export failed: ${e.message}`));
  });
  return h("span", { class: "csv-export" }, button, error);
}
