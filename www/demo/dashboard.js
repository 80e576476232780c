// Renders the LAYOUT's panels for one analysis result and tears them down before the next one.
import { h } from "../app.js";
import { LAYOUT } from "../panels/index.js";
import { closeCustomer } from "../panels/customer-detail.js";
import { barChart } from "./charts.js";

let cleanups = [];

/** Removes every panel, its charts and listeners. */
export function clearDashboard(grid) {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  closeCustomer();
  grid.replaceChildren();
}

/** Fills `grid` with a <section> per available panel; returns the shared event target. */
export function renderDashboard(grid, { result, worker }) {
  clearDashboard(grid);
  const events = new EventTarget();
  const ctx = { result, worker, events, barChart };
  for (const panel of LAYOUT) {
    if (panel.available && !panel.available(result)) continue;
    const titleId = `panel-${panel.id}-title`;
    const body = h("div", { class: "panel-body" });
    const section = h("section", { class: panel.wide ? "panel wide" : "panel", id: `panel-${panel.id}`, "aria-labelledby": titleId }, h("h3", { id: titleId }, panel.title), body);
    grid.append(section);
    const cleanup = panel.render(body, ctx);
    if (typeof cleanup === "function") cleanups.push(cleanup);
  }
  return events;
}
