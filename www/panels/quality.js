// What the ingest read: rows accepted and rejected (with the first examples and their line
// numbers), returns, the columns used and clvkit's warnings. Shared with the mapping step.
import { h, num } from "../app.js";

export const ROLE_LABELS = {
  customerId: "Customer", email: "Email", orderId: "Order id", date: "Date", amount: "Amount", quantity: "Quantity",
  unitPrice: "Unit price", productId: "Product id", productName: "Product name", category: "Category", channel: "Channel", status: "Status",
};

/** "Line 7, column 3 (order_date): …" for one rejected row. */
export function rowError(e) {
  const where = [`Line ${e.line}`, e.column ? `column ${e.column}` : null].filter(Boolean).join(", ");
  return h("li", { dataset: { line: e.line, code: e.code } }, h("strong", {}, where), e.header ? ` (${e.header})` : "", `: ${e.message} `, h("code", {}, e.code));
}

/** Counts, rejected rows by code and the first examples of a report. */
export function reportSummary(report, scope) {
  const codes = Object.entries(report.rejectedByCode ?? {});
  return h(
    "div",
    { class: "report" },
    h(
      "p",
      { class: "report-counts" },
      `${scope}: `,
      num(report.totalRows), " rows read, ",
      num(report.acceptedRows), " accepted, ",
      h("span", { class: report.rejectedRows ? "rejected" : "" }, num(report.rejectedRows), " rejected"),
      report.returnRows ? [", ", num(report.returnRows), " returns or cancellations"] : "",
      report.failedRows ? [", ", num(report.failedRows), " failed payments left out"] : "",
      ".",
    ),
    codes.length ? h("p", { class: "report-codes" }, "Rejected by reason: ", codes.map(([code, n], i) => [i ? ", " : "", h("code", {}, code), ` ${n.toLocaleString()}`])) : null,
    report.errorExamples?.length ? h("ul", { class: "row-errors" }, report.errorExamples.slice(0, 10).map(rowError)) : null,
    report.warnings?.length ? h("ul", { class: "warnings" }, report.warnings.map((w) => h("li", {}, w.message))) : null,
  );
}

export default {
  id: "quality",
  title: "Your file",
  wide: true,
  render(body, { result }) {
    const r = result.report;
    const mapped = Object.entries(ROLE_LABELS).filter(([role]) => r.mapping?.[role]);
    body.append(
      reportSummary(r, result.name),
      h(
        "p",
        { class: "report-mapping" },
        "Columns used: ",
        mapped.map(([role, label], i) => [i ? "; " : "", `${label} = `, h("q", {}, r.mapping[role].header)]),
        ". ",
        r.dateFormat ? `Dates ${r.dateFormat.toUpperCase()}; ` : "",
        r.decimalSeparator ? `decimal ${r.decimalSeparator === "comma" ? "comma" : "point"}; ` : "",
        `${num(r.customers).textContent} customers, ${num(r.orders).textContent} orders, ${num(r.lines).textContent} order lines.`,
      ),
      result.crossSellSkipped ? h("p", { class: "panel-note" }, `No cross-sell panels: ${result.crossSellSkipped}.`) : null,
      result.modelsSkipped ? h("p", { class: "panel-note", dataset: { note: "models" } }, `No predictions (predicted CLV, P(alive), model comparison): ${result.modelsSkipped}.`) : null,
    );
  },
};
