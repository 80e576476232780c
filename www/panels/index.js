// The dashboard's layout: panels in reading order. A panel is a module exporting
//   { id, title, wide?, available?(result) → boolean, render(body, ctx) → cleanup function? }
// where `body` is an empty element inside the panel's <section>, and ctx is
//   { result, worker, events, barChart, lineChart, ready }:
//   result    what the worker's "analyse" request returned (report, kpis, cohorts, segments,
//             stages, acquisition, name, crossSell: the cross-sell tables' sizes and the offers
//             per segment, null without a product column; models: the model comparison, the best
//             model's holdout curves, the predicted CLV histogram and the P(alive) matrix, null
//             when no model could be fitted, with the reason in modelsSkipped)
//   worker    the AnalysisWorker (request(type, payload, { onProgress, signal }))
//   events    an EventTarget shared by the panels ("acquisition": the spend-based result)
//   barChart  www/demo/charts.js's chart builders (colours follow the scheme, PNG download)
//   lineChart
//   ready     ready(promise): a first load the panel starts (a page of rows from the worker); the
//             dashboard counts as complete once every panel is drawn and these have settled
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
import predictedClv from "./predicted-clv.js";
import pAlive from "./p-alive.js";
import models from "./models.js";

export const LAYOUT = [
  kpis,
  predictedClv,
  cohorts,
  rfm,
  lifecycle,
  pAlive,
  models,
  acquisition,
  crossSell,
  upsell,
  offers,
  customers,
  quality,
];
