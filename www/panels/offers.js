// Next-best offers per RFM segment (Dataset.offers): for each segment, its customers, how many
// have an offer, the expected value of the offers and the items to send; every customer's offers
// (with the reason for each) go out as CSV (offersCsv), and the drill-down shows one customer's.
import { h, money, num, scroller, share } from "../app.js";
import { csvButton } from "../demo/download.js";
import { items } from "./cross-sell.js";
import { SEGMENT_LABELS } from "./customer-detail.js";
import { MODEL_NAMES } from "./models.js";

/** What an offer's value is: margin when the file's costs are known, else price. */
export const VALUED_AT = {
  margin: ["margin", "Offers are valued at margin per unit: the sample's list price minus its unit cost."],
  price: ["revenue", "Offers are valued at each product's median price: the file has no costs, so margins are unknown."],
};

function topOffers(offers) {
  return h(
    "ol",
    { class: "top-offers" },
    offers.map((o) => h("li", { dataset: { item: o.itemId } }, items(o.itemId), " ", share(o.share), h("span", { class: "visually-hidden" }, " of the segment's customers"))),
  );
}

export default {
  id: "offers",
  title: "Next best offers by segment",
  wide: true,
  available: (result) => Boolean(result.crossSell && result.crossSell.offers.count > 0),
  render(body, ctx) {
    const o = ctx.result.crossSell.offers;
    const [valued, note] = VALUED_AT[o.valuedAt];
    const segments = o.segments.filter((s) => s.customers > 0).sort((a, b) => b.expectedValue - a.expectedValue);
    body.append(
      h("p", { class: "panel-intro" }, `Up to three offers per customer, ranked by expected ${valued}: P(purchase) × ${valued} × P(alive), ${o.model ? `P(alive) from ${MODEL_NAMES[o.model]} (the best model on the holdout period)` : "P(alive) taken as 1 (no purchase model could be fitted)"}. ${num(o.customers).textContent} customers have at least one. ${note}`),
      scroller(
        "Offers by segment table",
        h(
          "table",
          { class: "offers-table" },
          h("caption", {}, "Offers to send each RFM segment; the share is of the segment's customers offered the item"),
          h("thead", {}, h("tr", {}, ["Segment", "Customers", "With offers", `Expected ${valued}`, "Top offers"].map((t) => h("th", { scope: "col" }, t)))),
          h(
            "tbody",
            {},
            segments.map((s) =>
              h(
                "tr",
                { dataset: { segment: s.segment } },
                h("th", { scope: "row" }, SEGMENT_LABELS[s.segment] ?? s.segment),
                h("td", {}, num(s.customers)),
                h("td", {}, num(s.customersWithOffers)),
                h("td", {}, money(s.expectedValue.toFixed(2))),
                h("td", { class: "text" }, topOffers(s.topOffers)),
              ),
            ),
          ),
        ),
      ),
      h("p", { class: "table-actions" }, csvButton(ctx.worker, "offers", "Offers CSV (every customer)")),
    );
  },
};
