// Upsell paths (Dataset.upsell): for an item, the pricier items of the same category that its
// buyers later bought, with how many moved up and the median price step they paid. Prices are the
// library's exact decimal strings, shown with Intl.NumberFormat (app.js money()).
import { h, money, num, share } from "../app.js";
import { items } from "./cross-sell.js";
import { pagedTable } from "./paged-table.js";

const COLUMNS = [
  { label: "From", cell: (p, i) => items(p.itemId[i]) },
  { label: "Up to", text: true, cell: (p, i) => items(p.targetId[i]) },
  { label: "Category", text: true, cell: (p, i) => p.category[i] },
  { label: "Price", title: "Median unit price paid for the first item", cell: (p, i) => money(p.itemPrice[i]) },
  { label: "Upgrade price", title: "Median unit price paid for the pricier item", cell: (p, i) => money(p.targetPrice[i]) },
  { label: "Movers", sort: "movers", title: "Customers who bought the first item, then the pricier one", cell: (p, i) => num(p.movers[i]) },
  { label: "Rate", sort: "rate", title: "Movers ÷ customers who bought the first item", cell: (p, i) => share(p.rate[i]) },
  { label: "Median step", sort: "medianStep", title: "The median price difference the movers paid", cell: (p, i) => money(p.medianStep[i]) },
];

export default {
  id: "upsell",
  title: "Upsell paths",
  wide: true,
  available: (result) => Boolean(result.crossSell && result.crossSell.paths.count > 0),
  render(body, ctx) {
    const table = pagedTable({
      id: "upsell",
      worker: ctx.worker,
      kind: "upsell",
      label: "Upsell paths table",
      caption: "Moves up to a pricier item of the same category, most movers first",
      columns: COLUMNS,
      view: { sort: "movers" },
      search: "Items or category contain",
      noun: ["path", "paths"],
      csv: "Upsell CSV",
    });
    body.append(
      h("p", { class: "panel-intro" }, "Customers who bought an item and later bought a pricier one of the same category: the upgrades worth suggesting, with at least two customers each."),
      table.element,
    );
    ctx.ready(table.refresh());
    return table.cancel;
  },
};
