// KPI cards: the file's headline figures from Dataset.kpis(), plus CAC and CLV:CAC once spend is
// entered in the acquisition panel (they arrive as an "acquisition" event).
import { h, money, num, share } from "../app.js";
import { clvCacRatio } from "../clvkit/js/index.js";

function card(key, label, value, note) {
  return h("div", { class: "kpi", dataset: { kpi: key } }, h("dt", {}, label), h("dd", {}, value), note ? h("dd", { class: "kpi-note" }, note) : null);
}

function cards(k, blended) {
  const list = [
    card("revenue", "Revenue", money(k.revenue), `over ${num(Math.max(1, Math.round(k.observedDays / 30.44))).textContent} months`),
    card("customers", "Customers", num(k.customers), `${num(k.orders).textContent} orders`),
    card("averageOrderValue", "Average order value", money(k.averageOrderValue)),
    card("purchaseFrequency", "Orders per customer", num(k.purchaseFrequency), `${num(k.purchaseFrequencyPerYear).textContent} a year`),
    card("repeatPurchaseRate", "Repeat purchase rate", share(k.repeatPurchaseRate), "customers with 2+ orders"),
    k.meanRetentionRate === null
      ? null
      : card("retention", "Monthly retention", share(k.meanRetentionRate), `churn ${share(k.meanChurnRate).textContent} a month`),
    card("historicalClv", "Average CLV to date", money(k.historicalClv), "revenue per customer"),
  ];
  if (blended) {
    list.push(card("cac", "Blended CAC", money(blended.cac), `${num(blended.newCustomers).textContent} new customers`));
    if (Number(blended.cac) > 0) {
      const { ratio } = clvCacRatio({ clv: k.historicalClv, cac: blended.cac });
      list.push(card("clvCac", "CLV:CAC", num(ratio, " : 1"), "average CLV to date ÷ CAC"));
    }
  }
  return list;
}

export default {
  id: "kpis",
  title: "Key figures",
  wide: true,
  render(body, ctx) {
    const list = h("dl", { class: "kpis" });
    const show = (blended) => list.replaceChildren(...cards(ctx.result.kpis, blended).filter(Boolean));
    show(null);
    body.append(list);
    const onSpend = (e) => show(e.detail.blended);
    ctx.events.addEventListener("acquisition", onSpend);
    return () => ctx.events.removeEventListener("acquisition", onSpend);
  },
};
