// The dashboard's layout: panels in reading order. A panel is a module exporting
//   { id, title, wide?, available?(result) → boolean, render(body, ctx) → cleanup function? }
// where `body` is an empty element inside the panel's <section>, and ctx is
//   { result, worker, events, barChart }:
//   result    what the worker's "analyse" request returned (report, kpis, cohorts, segments,
//             stages, acquisition, name, crossSell: the cross-sell tables' sizes and the offers
//             per segment, null without a product column)
//   worker    the AnalysisWorker (request(type, payload, { onProgress, signal }))
//   events    an EventTarget shared by the panels ("acquisition": the spend-based result)
//   barChart  www/demo/charts.js's chart builder (colours follow the scheme, PNG download)
// A panel whose `available` is false is not rendered at all (no empty states).
import kpis from "./kpis.js";
import quality from "./quality.js";
import cohorts from "./cohorts.js";
import rfm from "./rfm.js";
import lifecycle from "./lifecycle.js";
import acquisition from "./acquisition.js";
import customers from "./customers.js";
import crossSell from "./cross-sell.js";
import upsell from "./upsell.js";
import offers from "./offers.js";

export const LAYOUT = [
  kpis,
  // Phase 2 slot: predicted CLV distribution (panels/predicted-clv.js).
  cohorts,
  rfm,
  lifecycle,
  // Phase 2 slot: P(alive) frequency × recency matrix (panels/p-alive.js).
  // Phase 2 slot: holdout validation plot (panels/holdout.js) and model comparison (panels/models.js).
  acquisition,
  crossSell,
  upsell,
  offers,
  customers,
  quality,
];
