// PapaParse + a plain JS aggregation: the file is streamed from disk in 1 MiB chunks (as clvkit
// reads it) into Papa.parse with a `chunk` callback and array rows (its fast path: no header
// objects, no dynamic typing), then grouped with Maps under clvkit's policy: lines → orders
// (by order_id; a customer's lines on one day without one), an order is a return when its net is
// negative or its id is "C" + digits; purchase days have a non-return order; a day's total nets
// every order of that day. Money is summed in integer cents, so the sums are exact.
import { createReadStream } from "node:fs";
import Papa from "papaparse";
import { runCase } from "./common.mjs";

const CANCELLED_ID = /^[Cc][0-9]+$/;

function parse(path) {
  return new Promise((resolve, reject) => {
    const orders = new Map(); // order key → { customer, day, cents, cancelled }
    const dayOf = new Map(); // "YYYY-MM-DD" → days since 1970-01-01
    let header = null;
    let col;
    const day = (text) => {
      let d = dayOf.get(text);
      if (d === undefined) {
        const [y, m, dd] = text.split("-").map(Number);
        d = Date.UTC(y, m - 1, dd) / 86_400_000;
        if (!Number.isInteger(d)) throw new Error(`bad date ${text}`);
        dayOf.set(text, d);
      }
      return d;
    };
    Papa.parse(createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 }), {
      skipEmptyLines: true,
      chunk(results) {
        const rows = results.data;
        let i = 0;
        if (header === null) {
          header = rows[0].map((h) => h.trim());
          col = Object.fromEntries(["order_id", "customer_id", "date", "amount"].map((k) => [k, header.indexOf(k)]));
          i = 1;
        }
        for (; i < rows.length; i++) {
          const row = rows[i];
          const customer = row[col.customer_id].trim();
          const id = row[col.order_id].trim();
          const date = row[col.date].trim();
          const cents = Math.round(parseFloat(row[col.amount]) * 100);
          const key = id || `${customer}\u0000${date}`;
          const o = orders.get(key);
          if (o === undefined) {
            orders.set(key, { customer, day: day(date), cents, cancelled: CANCELLED_ID.test(id) });
          } else {
            o.cents += cents;
          }
        }
      },
      complete: () => resolve(orders),
      error: reject,
    });
  });
}

function summarise(orders) {
  let asOf = -Infinity;
  for (const o of orders.values()) if (o.day > asOf) asOf = o.day;
  // customer → day → [net cents, has a purchase]
  const customers = new Map();
  for (const o of orders.values()) {
    if (o.day > asOf) continue;
    let days = customers.get(o.customer);
    if (days === undefined) customers.set(o.customer, (days = new Map()));
    const isReturn = o.cancelled || o.cents < 0;
    const d = days.get(o.day);
    if (d === undefined) days.set(o.day, [o.cents, !isReturn]);
    else {
      d[0] += o.cents;
      d[1] ||= !isReturn;
    }
  }
  const customerId = [];
  const frequency = [], recency = [], T = [], monetaryValue = [];
  for (const [customer, days] of customers) {
    const purchaseDays = [...days].filter(([, d]) => d[1]).sort((a, b) => a[0] - b[0]);
    if (purchaseDays.length === 0) continue;
    const first = purchaseDays[0][0];
    const last = purchaseDays[purchaseDays.length - 1][0];
    let repeatCents = 0;
    for (let k = 1; k < purchaseDays.length; k++) repeatCents += purchaseDays[k][1][0];
    const f = purchaseDays.length - 1;
    customerId.push(customer);
    frequency.push(f);
    recency.push(last - first);
    T.push(asOf - first);
    monetaryValue.push(f === 0 ? 0 : repeatCents / f / 100);
  }
  return {
    customerId,
    frequency: Float64Array.from(frequency),
    recency: Float64Array.from(recency),
    T: Float64Array.from(T),
    monetaryValue: Float64Array.from(monetaryValue),
  };
}

await runCase("papaparse", {
  setup: () => null,
  job: async (_, path) => summarise(await parse(path)),
  extra: () => ({ version: Papa.VERSION }),
});
