// RFM segments: customers and revenue share per named segment (Dataset.rfm().segments).
import { h, money, num, scroller, share } from "../app.js";

export default {
  id: "rfm",
  title: "RFM segments",
  available: (result) => result.segments.some((s) => s.customers > 0),
  render(body, ctx) {
    const segments = ctx.result.segments.filter((s) => s.customers > 0).sort((a, b) => (b.revenueShare ?? 0) - (a.revenueShare ?? 0));
    const top = segments[0];
    const chart = ctx.barChart({
      id: "rfm",
      title: "Share of customers and of revenue by RFM segment",
      labels: segments.map((s) => s.label),
      datasets: [
        { label: "Customers", data: segments.map((s) => s.customerShare) },
        { label: "Revenue", data: segments.map((s) => s.revenueShare ?? 0) },
      ],
      horizontal: true,
      percent: true,
      height: 60 + 34 * segments.length,
      summary: `${top.label} bring ${share(top.revenueShare ?? 0).textContent} of revenue from ${share(top.customerShare).textContent} of customers.`,
    });
    body.append(
      chart.element,
      scroller(
        "RFM segments table",
        h(
          "table",
          { class: "segments-table" },
          h("caption", {}, "Customers and revenue by segment"),
          h("thead", {}, h("tr", {}, ["Segment", "Customers", "Share", "Revenue", "Revenue share"].map((t) => h("th", { scope: "col" }, t)))),
          h(
            "tbody",
            {},
            segments.map((s) =>
              h(
                "tr",
                { dataset: { segment: s.segment } },
                h("th", { scope: "row" }, s.label),
                h("td", {}, num(s.customers)),
                h("td", {}, share(s.customerShare)),
                h("td", {}, money(s.revenue)),
                h("td", {}, s.revenueShare === null ? h("span", { class: "na" }, "n/a") : share(s.revenueShare)),
              ),
            ),
          ),
        ),
      ),
    );
    return chart.destroy;
  },
};
