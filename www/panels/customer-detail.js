// The customer drill-down: a modal dialog with what the API knows about one customer. Its content is
// a list of sections; phase 2 adds P(alive), expected purchases and predicted CLV as more
// entries of DETAIL_SECTIONS (each: (customer, ctx) => [label, node, key][] or a Promise of it).
import { details, h, money, num, share } from "../app.js";
import { STAGES } from "./lifecycle.js";
import { VALUED_AT } from "./offers.js";
import { MODEL_NAMES } from "./models.js";

export const SEGMENT_LABELS = {
  champions: "Champions", loyal: "Loyal", potentialLoyalist: "Potential loyalist", new: "New", promising: "Promising",
  needAttention: "Need attention", aboutToSleep: "About to sleep", atRisk: "At risk", cannotLose: "Cannot lose",
  hibernating: "Hibernating", lost: "Lost",
};

const text = (t) => h("span", {}, t);

export const DETAIL_SECTIONS = [
  {
    title: "Purchases",
    rows: (c) => [
      ["Revenue (net of returns)", money(c.revenue), "revenue"],
      ["Orders", num(c.orders), "orders"],
      ["Items", num(c.items), "items"],
      ["Average order value", money(c.averageOrderValue), "averageOrderValue"],
      ["First order", text(c.firstPurchase), "firstPurchase"],
      ["Last order", text(c.lastPurchase), "lastPurchase"],
    ],
  },
  {
    title: "Segment and stage",
    rows: (c) => [
      ["RFM segment", text(SEGMENT_LABELS[c.segment] ?? "n/a"), "segment"],
      c.rfm && ["RFM scores (1–5)", text(`R ${c.rfm.r} · F ${c.rfm.f} · M ${c.rfm.m}`), "scores"],
      ["Lifecycle stage", text(STAGES[c.stage]?.[0] ?? "n/a"), "stage"],
      c.lifecycle && ["Days since last purchase", num(c.lifecycle.daysSinceLast), "daysSinceLast"],
      c.lifecycle && !Number.isNaN(c.lifecycle.medianGapDays) && ["Usual gap between purchases (days)", num(c.lifecycle.medianGapDays), "medianGapDays"],
    ],
  },
  {
    title: "Repeat-purchase summary",
    rows: (c) => [
      ["Repeat purchases", num(c.frequency), "frequency"],
      [`First to last purchase (${c.unit})`, num(c.recency), "recency"],
      [`Customer for (${c.unit})`, num(c.T), "T"],
      ["Average repeat purchase", money(c.monetaryValue.toFixed(2)), "monetaryValue"],
    ],
  },
  {
    // The worker's predictions for this customer (the best model on the holdout period), null without models.
    title: "Outlook",
    rows: (c) => {
      const o = c.outlook;
      if (!o) return [];
      return [
        ["P(alive)", share(o.pAlive), "pAlive"],
        ["Churn risk", text(o.churnRisk), "churnRisk"],
        [`Expected purchases, next ${o.horizonMonths} months`, num(o.expectedPurchases), "expectedPurchases"],
        o.clv !== null && [`Predicted CLV, next ${o.horizonMonths} months (${o.grossMarginPercent === null ? "revenue" : "margin"})`, money(o.clv.toFixed(2)), "predictedClv"],
        ["Model", text(MODEL_NAMES[o.model] ?? o.model), "model"],
      ];
    },
  },
  {
    title: "Next best offers",
    rows: async (c, ctx) => {
      if (!ctx.result.crossSell) return [];
      const { offers, valuedAt } = await ctx.worker.request("offers", { customerId: c.customerId });
      return offers.map((o) => [
        `${o.rank}. ${o.itemId}`,
        h(
          "span",
          { class: "offer" },
          money(o.expectedValue.toFixed(2)),
          ` expected ${VALUED_AT[valuedAt][0]} (P(purchase) ${share(o.probability).textContent} × ${VALUED_AT[valuedAt][0]} `,
          money(o.value),
          ` × P(alive) ${share(o.pAlive).textContent})`,
          h("span", { class: "offer-reason" }, o.reason),
        ),
        `offer-${o.rank}`,
      ]);
    },
  },
];

let dialog = null;

function ensureDialog() {
  if (dialog) return dialog;
  const close = h("button", { type: "button", class: "secondary dialog-close" }, "Close");
  dialog = h("dialog", { id: "customer-dialog", "aria-labelledby": "customer-dialog-title" }, h("div", { class: "dialog-head" }, h("h2", { id: "customer-dialog-title" }), close), h("div", { class: "dialog-body" }));
  close.addEventListener("click", () => dialog.close());
  document.body.append(dialog);
  return dialog;
}

/** Opens the dialog for `customerId`; focus returns to `opener` when it closes. */
export async function showCustomer(ctx, customerId, opener) {
  const c = await ctx.worker.request("customer", { customerId });
  const d = ensureDialog();
  d.querySelector("h2").textContent = `Customer ${c.customerId}`;
  const all = await Promise.all(DETAIL_SECTIONS.map(async (s) => [s.title, (await s.rows(c, ctx)).filter(Boolean)]));
  const sections = all.filter(([, rows]) => rows.length > 0); // a section with nothing to say is left out
  d.querySelector(".dialog-body").replaceChildren(
    h("p", { class: "dialog-note" }, `As of ${c.asOf}.`),
    ...sections.map(([title, rows]) => h("section", {}, h("h3", {}, title), details(rows))),
  );
  d.addEventListener("close", () => opener?.focus(), { once: true });
  d.showModal();
  d.querySelector(".dialog-close").focus();
}

/** Closes and forgets the dialog (a new analysis replaces the dataset it describes). */
export function closeCustomer() {
  dialog?.close();
}
