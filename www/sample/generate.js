// The demo's sample order export: a small online coffee shop over two years, generated
// deterministically so the committed www/sample/orders.csv and the one the page builds in its
// worker ("Try sample data") are the same bytes. Plain ES module: runs in Node and in a browser.
//
//   node scripts/make-sample.mjs      (re)writes www/sample/orders.csv
//
// One row per order line: order_id, order_date, customer_id, sku, product, category, quantity,
// unit_price, unit_cost, channel, status. There is no amount column: clvkit takes quantity ×
// unit price. Customers arrive through six channels that differ in how often and how long their
// customers buy; orders have one to five lines, each customer leans to one category; about 4 %
// of orders are returned later (a separate order "R<id>" with negative quantities and status
// "returned") and about 1 % are cancelled outright (status "cancelled").

export const SAMPLE_SEED = 7;
export const SAMPLE_CUSTOMERS = 2600;
export const SAMPLE_HEADER = "order_id,order_date,customer_id,sku,product,category,quantity,unit_price,unit_cost,channel,status";

const FIRST_DAY = Date.UTC(2023, 0, 1) / 86_400_000;
const DAYS = 731; // 2023-01-01 … 2024-12-31

// [category, cost as a share of price, [sku, product, price in cents]...]
const CATALOGUE = [
  ["Coffee", 0.46, [
    ["CF-ETH-250", "Ethiopia Yirgacheffe 250 g", 1450], ["CF-COL-250", "Colombia Huila 250 g", 1290],
    ["CF-BRA-1K", "Brazil Cerrado 1 kg", 3400], ["CF-KEN-250", "Kenya Nyeri AA 250 g", 1690],
    ["CF-ESP-500", "House espresso blend 500 g", 1990], ["CF-DEC-250", "Swiss water decaf 250 g", 1350],
    ["CF-GUA-250", "Guatemala Antigua 250 g", 1390], ["CF-SMP-3", "Single-origin sampler, 3 × 100 g", 2250],
  ]],
  ["Tea", 0.38, [
    ["TE-SEN-100", "Sencha 100 g", 990], ["TE-ASS-250", "Assam breakfast 250 g", 1190],
    ["TE-CHA-150", "Masala chai 150 g", 1090], ["TE-ROO-100", "Rooibos vanilla 100 g", 850],
  ]],
  ["Brewing", 0.58, [
    ["BR-V60-02", "Pour-over dripper, ceramic", 2900], ["BR-FRP-08", "French press 8 cups", 3900],
    ["BR-AER-01", "Travel press", 3690], ["BR-KET-GN", "Gooseneck kettle", 6900],
    ["BR-FLT-100", "Paper filters × 100", 690], ["BR-SCL-01", "Brew scale with timer", 4990],
  ]],
  ["Grinders", 0.64, [
    ["GR-HND-01", "Hand grinder, steel burrs", 8900], ["GR-ELC-40", "Electric burr grinder", 17900],
  ]],
  ["Mugs & cups", 0.42, [
    ["MG-STN-35", "Stoneware mug 350 ml", 1800], ["MG-GLS-2", "Double-wall glasses × 2", 2400],
    ["MG-TRV-40", "Insulated travel cup", 2700], ["MG-ESP-4", "Espresso cups × 4", 2200],
  ]],
  ["Accessories", 0.5, [
    ["AC-CAN-01", "Airtight coffee canister", 2500], ["AC-TMP-58", "Espresso tamper 58 mm", 3200],
    ["AC-CLN-01", "Descaler, 3 doses", 1200], ["AC-BRU-01", "Grinder brush", 650],
  ]],
  ["Gifts", 0.55, [
    ["GF-BOX-S", "Gift box: two coffees and a mug", 4500], ["GF-CRD-25", "Gift card 25", 2500],
    ["GF-CRD-50", "Gift card 50", 5000],
  ]],
];

// [channel, share of new customers, orders a year (typical), mean lifetime in days]
const CHANNELS = [
  ["Organic search", 0.27, 2.6, 420],
  ["Paid search", 0.24, 1.9, 300],
  ["Social ads", 0.18, 1.5, 220],
  ["Email", 0.11, 3.4, 520],
  ["Referral", 0.12, 3.0, 560],
  ["Marketplace", 0.08, 1.2, 180],
];

/** mulberry32: a tiny seeded 32-bit generator; `next()` is uniform in [0, 1). */
function seeded(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const weighted = (weights) => {
    let x = next() * weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  };
  // Exponential with the given mean; 1 − next() is in (0, 1].
  const exponential = (mean) => -Math.log(1 - next()) * mean;
  return { next, weighted, exponential };
}

/** Unit cost in cents: the category's cost share of the list price. */
const costOf = (price, costShare) => Math.round(price * costShare);
const cents = (n) => `${Math.trunc(n / 100)}.${String(Math.abs(n) % 100).padStart(2, "0")}`;
const isoDay = (day) => new Date((FIRST_DAY + day) * 86_400_000).toISOString().slice(0, 10);
const csvCell = (text) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * Margin per unit by sku (list price − unit cost, as exact decimal strings): the sample's costs,
 * for next-best offers valued at margin rather than price.
 */
export function sampleMargins() {
  return Object.fromEntries(CATALOGUE.flatMap(([, costShare, items]) => items.map(([sku, , price]) => [sku, cents(price - costOf(price, costShare))])));
}

/** The sample export as CSV text (LF line ends, a final newline). */
export function sampleOrdersCsv({ customers = SAMPLE_CUSTOMERS, seed = SAMPLE_SEED } = {}) {
  const random = seeded(seed);
  const products = CATALOGUE.flatMap(([category, costShare, items], c) =>
    items.map(([sku, name, price]) => ({ sku, name: csvCell(name), category: csvCell(category), c, price, cost: costOf(price, costShare) })),
  );
  const byCategory = CATALOGUE.map((_, c) => products.filter((p) => p.c === c));
  const categoryWeights = [0.42, 0.12, 0.16, 0.05, 0.11, 0.09, 0.05];
  const orders = []; // [day, customer, channel, lines, status]

  for (let id = 0; id < customers; id++) {
    const channel = random.weighted(CHANNELS.map((ch) => ch[1]));
    const [, , perYear, meanLife] = CHANNELS[channel];
    // Growth: more customers arrive later. Each has a personal pace around the channel's.
    const first = Math.floor(DAYS * Math.pow(random.next(), 0.7));
    const pace = perYear * (0.25 + 1.5 * random.next() * random.next() * 2);
    const last = first + random.exponential(meanLife);
    const favourite = random.weighted(categoryWeights);
    for (let day = first; day < DAYS && day <= last; day += Math.max(1, Math.round(random.exponential(365 / pace)))) {
      const lines = [];
      const count = 1 + random.weighted([0.45, 0.3, 0.14, 0.07, 0.04]);
      for (let l = 0; l < count; l++) {
        const pool = random.next() < 0.65 ? byCategory[favourite] : byCategory[random.weighted(categoryWeights)];
        const product = pool[Math.floor(random.next() * pool.length)];
        const quantity = 1 + random.weighted([0.78, 0.16, 0.06]);
        const discount = random.next() < 0.12 ? 0.85 : 1;
        const same = lines.find((line) => line.product === product);
        if (same) same.quantity += quantity; // one line per product, as shops export them
        else lines.push({ product, quantity, price: Math.round(product.price * discount) });
      }
      const fate = random.next();
      orders.push({ day, customer: id, channel, lines, status: fate < 0.01 ? "cancelled" : "completed" });
      if (fate >= 0.01 && fate < 0.05) {
        const back = day + 3 + Math.floor(random.exponential(9));
        if (back < DAYS) orders.push({ day: back, customer: id, channel, lines: [lines[0]], status: "returned", of: orders.length - 1 });
      }
    }
  }

  // Date order (ties keep creation order); order numbers rise with the date.
  const sequence = orders.map((o, i) => i).sort((a, b) => orders[a].day - orders[b].day || a - b);
  const number = new Array(orders.length);
  sequence.forEach((o, k) => (number[o] = 100001 + k));
  const out = [SAMPLE_HEADER];
  for (const o of sequence) {
    const order = orders[o];
    const returned = order.status === "returned";
    const orderId = returned ? `R${number[order.of]}` : String(number[o]);
    const customerId = `C${String(order.customer).padStart(5, "0")}`;
    const head = `${orderId},${isoDay(order.day)},${customerId}`;
    const tail = `${CHANNELS[order.channel][0]},${order.status}`;
    for (const { product, quantity, price } of order.lines) {
      const q = returned ? -quantity : quantity;
      out.push(`${head},${product.sku},${product.name},${product.category},${q},${cents(price)},${cents(product.cost)},${tail}`);
    }
  }
  return out.join("\n") + "\n";
}
