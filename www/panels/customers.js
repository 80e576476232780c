// Top customers: a table the worker sorts, searches and pages (only one page crosses to the page),
// each customer opening the drill-down dialog.
import { h, money, num } from "../app.js";
import { SEGMENT_LABELS, showCustomer } from "./customer-detail.js";
import { STAGES } from "./lifecycle.js";

const PAGE = 25;
const COLUMNS = [
  ["customerId", "Customer", "ascending"],
  ["revenue", "Revenue", "descending"],
  ["orders", "Orders", "descending"],
  ["averageOrderValue", "Average order", "descending"],
  ["firstPurchase", "First order", "descending"],
  ["lastPurchase", "Last order", "descending"],
  [null, "Segment"],
  [null, "Stage"],
];

export default {
  id: "customers",
  title: "Customers",
  wide: true,
  render(body, ctx) {
    const view = { sort: "revenue", descending: true, query: "", offset: 0 };
    const search = h("input", { id: "customer-search", type: "search", autocomplete: "off", spellcheck: "false" });
    const status = h("p", { class: "pager-status", id: "customer-pager-status", "aria-live": "polite" });
    const prev = h("button", { type: "button", class: "secondary", id: "customers-prev" }, "Previous");
    const next = h("button", { type: "button", class: "secondary", id: "customers-next" }, "Next");
    const tbody = h("tbody", {});
    const headers = COLUMNS.map(([key, label]) => {
      if (!key) return h("th", { scope: "col" }, label);
      const button = h("button", { type: "button", class: "sort", dataset: { sort: key } }, label);
      return h("th", { scope: "col", dataset: { sort: key } }, button);
    });
    let generation = 0;

    async function load() {
      const mine = ++generation;
      const page = await ctx.worker.request("customers", { ...view, limit: PAGE });
      if (mine !== generation) return; // a newer request superseded this one
      for (const th of headers) {
        if (!th.dataset.sort) continue;
        if (th.dataset.sort === view.sort) th.setAttribute("aria-sort", view.descending ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      }
      tbody.replaceChildren(
        ...page.rows.map((c) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, h("button", { type: "button", class: "link-button", dataset: { customer: c.customerId } }, c.customerId)),
            h("td", {}, money(c.revenue)),
            h("td", {}, num(c.orders)),
            h("td", {}, money(c.averageOrderValue)),
            h("td", {}, c.firstPurchase),
            h("td", {}, c.lastPurchase),
            h("td", { class: "text" }, SEGMENT_LABELS[c.segment] ?? ""),
            h("td", { class: "text" }, STAGES[c.stage]?.[0] ?? ""),
          ),
        ),
      );
      const shown = page.rows.length;
      status.textContent = page.matched === 0
        ? `No customer matches “${view.query}”.`
        : `${(page.offset + 1).toLocaleString()}–${(page.offset + shown).toLocaleString()} of ${page.matched.toLocaleString()}${view.query ? ` matching “${view.query}”` : " customers"}`;
      prev.disabled = page.offset === 0;
      next.disabled = page.offset + shown >= page.matched;
    }

    const refresh = () => load().catch((e) => (status.textContent = e.message));
    for (const th of headers) {
      th.querySelector("button")?.addEventListener("click", () => {
        const key = th.dataset.sort;
        view.descending = view.sort === key ? !view.descending : COLUMNS.find((c) => c[0] === key)[2] === "descending";
        view.sort = key;
        view.offset = 0;
        refresh();
      });
    }
    let typing;
    search.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        view.query = search.value;
        view.offset = 0;
        refresh();
      }, 150);
    });
    prev.addEventListener("click", () => {
      view.offset = Math.max(0, view.offset - PAGE);
      refresh();
    });
    next.addEventListener("click", () => {
      view.offset += PAGE;
      refresh();
    });
    tbody.addEventListener("click", (e) => {
      const id = e.target.closest("[data-customer]")?.dataset.customer;
      if (id) showCustomer(ctx, id, e.target);
    });

    body.append(
      h("div", { class: "table-tools" }, h("label", { for: "customer-search" }, "Search customers"), search),
      h(
        "div",
        { class: "table-scroll", role: "region", "aria-label": "Customers table", tabindex: "0" },
        h("table", { class: "customers-table" }, h("caption", {}, "Customers, sortable by any underlined column"), h("thead", {}, h("tr", {}, headers)), tbody),
      ),
      h("div", { class: "pager" }, prev, status, next),
    );
    ctx.ready(refresh());
    return () => clearTimeout(typing);
  },
};
