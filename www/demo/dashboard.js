// Renders the LAYOUT's panels for one analysis result and tears them down before the next one.
import { h } from "../app.js";
import { LAYOUT } from "../panels/index.js";
import { closeCustomer } from "../panels/customer-detail.js";
import { barChart, lineChart } from "./charts.js";

let cleanups = [];
let generation = 0;

/** Lets the browser paint and handle input between two pieces of work. */
export const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Removes every panel, its charts and listeners. */
export function clearDashboard(grid) {
  generation++;
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  closeCustomer();
  grid.replaceChildren();
}

/**
 * Fills `grid` with a <section> per available panel, one panel per task so that the main thread
 * never blocks for long; resolves with the shared event target once all are drawn and every
 * first load a panel registered with `ctx.ready(promise)` (its first page of rows) has settled, or
 * with null when a newer render or a clear superseded this one.
 */
export async function renderDashboard(grid, { result, worker }) {
  clearDashboard(grid);
  const mine = generation;
  const events = new EventTarget();
  const loads = [];
  const ready = (promise) => loads.push(promise);
  const ctx = { result, worker, events, barChart, lineChart, ready };
  for (const panel of LAYOUT) {
    if (panel.available && !panel.available(result)) continue;
    await nextTask();
    if (mine !== generation) return null;
    const titleId = `panel-${panel.id}-title`;
    const body = h("div", { class: "panel-body" });
    const section = h("section", { class: panel.wide ? "panel wide" : "panel", id: `panel-${panel.id}`, "aria-labelledby": titleId }, h("h3", { id: titleId }, panel.title), body);
    grid.append(section);
    const cleanup = panel.render(body, ctx);
    if (typeof cleanup === "function") cleanups.push(cleanup);
  }
  await Promise.allSettled(loads);
  return mine === generation ? events : null;
}
