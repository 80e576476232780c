// Model comparison and holdout validation (Dataset.validateModels): BG/NBD, MBG/NBD and Pareto/NBD
// fitted on the first 75 % of the file's span and scored on the purchases after it. A table of the
// fits and errors (the best marked), and the best model's predicted vs actual repeat purchases:
// cumulative over the holdout weeks, and per customer by repeat purchases before the cut.
import { h, num, scroller } from "../app.js";

export const MODEL_NAMES = { bgNbd: "BG/NBD", mbgNbd: "MBG/NBD", paretoNbd: "Pareto/NBD" };

const DAY_MS = 86_400_000;
/** The ISO date `weeks` weeks after the ISO date `from`. */
const weeksAfter = (from, weeks) => new Date(Date.parse(`${from}T00:00:00Z`) + Math.round(weeks * 7) * DAY_MS).toISOString().slice(0, 10);

function comparison(m) {
  const cells = (s) =>
    s.error
      ? [num(s.logLikelihood), num(s.error.mae), num(s.error.rmse), num(s.error.totalError), h("span", {}, num(s.error.predictedTotal), " / ", num(s.error.actualTotal))].map((v) => h("td", {}, v))
      : [h("td", {}, s.logLikelihood === null ? "n/a" : num(s.logLikelihood)), h("td", { colspan: 4, class: "text" }, `Not validated: ${s.failure ?? "the fit failed"}`)];
  return h(
    "table",
    { class: "models-table" },
    h("caption", {}, `Fitted on purchases up to ${m.calibrationEnd}, validated on ${m.calibrationEnd} … ${m.observationEnd}; lower errors are better`),
    h("thead", {}, h("tr", {}, ["Model", "Log-likelihood", "Holdout MAE", "Holdout RMSE", "Total error", "Predicted / actual"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      m.ranking.map((s) =>
        h(
          "tr",
          { dataset: { model: s.model, best: s.model === m.best } },
          h("th", { scope: "row" }, MODEL_NAMES[s.model] ?? s.model, s.model === m.best ? h("strong", { class: "best-model" }, " (best)") : null, s.converged ? null : " (did not converge)"),
          cells(s),
        ),
      ),
    ),
  );
}

export default {
  id: "models",
  title: "Model comparison and holdout validation",
  wide: true,
  available: (result) => Boolean(result.models),
  render(body, ctx) {
    const m = ctx.result.models;
    const best = MODEL_NAMES[m.best];
    const charts = [];
    if (m.holdout) {
      const t = m.holdout.tracking;
      const last = t.period.length - 1;
      charts.push(
        ctx.lineChart({
          id: "holdout-tracking",
          title: `Cumulative repeat purchases after the calibration end: ${best} vs actual`,
          labels: [m.calibrationEnd, ...t.period.map((p) => weeksAfter(m.calibrationEnd, p))],
          datasets: [
            { label: "Actual", data: [0, ...t.actual] },
            { label: `Predicted (${best})`, data: [0, ...t.predicted], dashed: true },
          ],
          xTitle: `Week ending (calibration end ${m.calibrationEnd})`,
          yTitle: "Repeat purchases",
          marker: { index: 0, text: "Calibration end" },
          summary: `Over the ${t.period[last]} holdout weeks the ${m.holdout.customers.toLocaleString()} customers of the calibration period made ${Math.round(t.actual[last]).toLocaleString()} repeat purchases; ${best} predicted ${Math.round(t.predicted[last]).toLocaleString()}.`,
        }),
      );
      const b = m.holdout.buckets;
      charts.push(
        ctx.lineChart({
          id: "holdout-buckets",
          title: `Purchases per customer in the holdout period, by repeat purchases before it: ${best} vs actual`,
          labels: b.label,
          datasets: [
            { label: "Actual", data: b.actual },
            { label: `Predicted (${best})`, data: b.predicted, dashed: true },
          ],
          xTitle: "Repeat purchases up to the calibration end",
          yTitle: "Purchases per customer",
          summary: `Customers with ${b.label[0]} repeat purchases before the cut made ${num(b.actual[0]).textContent} purchases each afterwards (${num(b.predicted[0]).textContent} predicted); those with ${b.label[b.label.length - 1]} made ${num(b.actual[b.actual.length - 1]).textContent} (${num(b.predicted[b.predicted.length - 1]).textContent} predicted).`,
        }),
      );
    }
    body.append(
      h(
        "p",
        { class: "panel-intro" },
        `Three models of repeat purchasing were fitted on the first 75% of the file's span (up to ${m.calibrationEnd}) and asked to predict each customer's purchases in the remaining quarter; ${best} was ranked best and makes the predictions on this page (refitted on the whole file).`,
      ),
      scroller("Model comparison table", comparison(m)),
      charts.map((c) => c.element),
      m.warnings.length ? h("ul", { class: "warnings" }, m.warnings.map((w) => h("li", {}, w.message ?? String(w)))) : null,
    );
    return () => charts.forEach((c) => c.destroy());
  },
};
