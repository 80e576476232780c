// Deterministic synthetic transactions CSV for the benchmarks.
//
//   node bench/generate.mjs --rows 1000000 [--seed 42] [--out file.csv]
//
// One row per order line: `order_id,customer_id,date,amount,quantity,product_id,category,channel`,
// rows in date order, 2 years (2023-01-01 … 2024-12-31). Customers follow a Pareto/NBD-like
// process: each is acquired on some day (more of them later: the shop grows), buys at a
// personal rate λ ~ Gamma(0.55, 1/60 per day) until an exponential dropout with rate
// μ ~ Gamma(0.7, 1/250 per day), so most buy once and a few buy dozens of times. Orders have
// 1–6 lines (mean ≈ 1.5); products follow a Zipf popularity over a catalogue with log-normal
// prices; about 3 % of orders get a later return (a separate order with id "C<digits>",
// negative amount and quantity; some on the same day as the purchase, some on a day with
// another purchase, most on a day with none). One category contains a comma, so it is quoted.
//
// Randomness comes only from a seeded sfc32 generator (never Math.random), and transcendental
// functions from V8's fdlibm port, so a (rows, seed, version) triple always gives the same
// bytes; the SHA-256 is recorded next to the file. Files are cached in bench/.data/ and reused
// when present with the same parameters.
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const GENERATOR_VERSION = 1;
export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), ".data");
export const HEADER = "order_id,customer_id,date,amount,quantity,product_id,category,channel";

const START = Date.UTC(2023, 0, 1) / 86_400_000; // day number of 2023-01-01
const DAYS = 731; // through 2024-12-31
const PRODUCTS = 5_000;
const CATEGORIES = [
  ["Apparel", 1.0], ["Shoes", 1.6], ["Accessories", 0.6], ["Beauty", 0.5], ["Home", 1.2],
  ["Kitchen", 0.9], ["Electronics", 3.0], ["Books", 0.4], ["Sports", 1.3], ["Garden", 1.1],
  ["Grocery", 0.3], ["Baby, Kids & Toys", 0.8], // the quoted one
];
const CHANNELS = ["web", "app", "store", "marketplace"];
const CHANNEL_WEIGHTS = [0.45, 0.3, 0.15, 0.1];
const RETURN_RATE = 0.03;

/** sfc32, seeded through splitmix32: small, fast, and good enough for synthetic data. */
export function rng(seed) {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  const r = {
    /** Uniform in [0, 1) with 32 random bits. */
    u: () => next() / 4294967296,
    /** Uniform integer in [0, n). */
    int: (n) => Math.floor(r.u() * n),
    /** Uniform in (0, 1]. */
    open: () => (next() + 1) / 4294967296,
    exp: (rate) => -Math.log(r.open()) / rate,
    normal: () => Math.sqrt(-2 * Math.log(r.open())) * Math.cos(2 * Math.PI * r.u()),
    /** Gamma(shape, scale), Marsaglia–Tsang (with the shape < 1 boost). */
    gamma: (shape, scale) => {
      if (shape < 1) return r.gamma(shape + 1, scale) * Math.pow(r.open(), 1 / shape);
      const d = shape - 1 / 3;
      const c = 1 / Math.sqrt(9 * d);
      for (;;) {
        let x, v;
        do {
          x = r.normal();
          v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        const u = r.open();
        if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
      }
    },
    pick: (cumulative) => {
      const x = r.u() * cumulative[cumulative.length - 1];
      let lo = 0, hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > x) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
  };
  return r;
}

const cumulate = (weights) => {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
};

function isoDate(day) {
  return new Date((START + day) * 86_400_000).toISOString().slice(0, 10);
}

function money(cents) {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const frac = abs % 100;
  return `${sign}${(abs - frac) / 100}.${frac < 10 ? "0" : ""}${frac}`;
}

/**
 * Generates `rows` data rows with `seed` into `path`; returns { rows, bytes, sha256, customers, orders, returns }.
 */
export function generate({ rows, seed = 42, path }) {
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`rows must be a positive integer, got ${rows}`);
  const r = rng(seed);

  // Catalogue: Zipf popularity, category, log-normal price by category.
  const productCategory = new Uint8Array(PRODUCTS);
  const productPrice = new Int32Array(PRODUCTS); // cents
  const popularity = [];
  for (let p = 0; p < PRODUCTS; p++) {
    const cat = r.int(CATEGORIES.length);
    productCategory[p] = cat;
    const price = Math.exp(Math.log(25 * CATEGORIES[cat][1]) + 0.7 * r.normal());
    productPrice[p] = Math.max(99, Math.round(price * 100) - (r.u() < 0.6 ? 1 : 0)); // x.99 prices
    popularity.push(1 / Math.pow(p + 1, 0.9));
  }
  const productCum = cumulate(popularity);
  const channelCum = cumulate(CHANNEL_WEIGHTS);
  const lineCountCum = cumulate([0.6, 0.25, 0.09, 0.03, 0.02, 0.01]);
  const qtyCum = cumulate([0.8, 0.14, 0.03, 0.02, 0.01]);

  // Orders (purchases and returns) as parallel arrays; lines likewise.
  const oCustomer = [], oDay = [], oFirstLine = [], oLines = [], oReturn = [];
  const lProduct = [], lQty = [], lCents = [];
  let customers = 0;
  let returns = 0;

  const addLine = (product, qty, cents) => {
    lProduct.push(product);
    lQty.push(qty);
    lCents.push(cents);
  };

  while (lCents.length < rows) {
    const c = customers++;
    const birth = Math.floor(DAYS * Math.pow(r.u(), 0.8));
    const lambda = r.gamma(0.55, 1 / 60);
    const mu = r.gamma(0.7, 1 / 250);
    const death = Math.min(DAYS, birth + r.exp(mu));
    const homeChannel = r.pick(channelCum);
    let t = birth;
    while (t < death && lCents.length < rows + 64) {
      const day = Math.floor(t);
      const channel = r.u() < 0.8 ? homeChannel : r.pick(channelCum);
      const nLines = r.pick(lineCountCum) + 1;
      const first = lCents.length;
      for (let i = 0; i < nLines; i++) {
        const product = r.pick(productCum);
        const qty = r.pick(qtyCum) + 1;
        const discount = r.u() < 0.15 ? 0.8 + 0.15 * r.u() : 1;
        addLine(product, qty, Math.round(productPrice[product] * qty * discount));
      }
      oCustomer.push(c); oDay.push(day); oFirstLine.push(first); oLines.push(nLines); oReturn.push(channel);
      if (r.u() < RETURN_RATE) {
        // Return one line (sometimes the whole order), same day for 15 %, otherwise within ~30 days.
        const later = r.u() < 0.15 ? 0 : 1 + Math.floor(r.exp(1 / 10));
        const rday = day + later;
        if (rday < DAYS) {
          const whole = r.u() < 0.3;
          const rfirst = lCents.length;
          const picked = whole ? nLines : 1;
          const offset = whole ? 0 : r.int(nLines);
          for (let i = 0; i < picked; i++) {
            const src = first + offset + i;
            addLine(lProduct[src], -lQty[src], -lCents[src]);
          }
          // Returns are flagged by a negative channel index (channel − 8) to keep one array.
          oCustomer.push(c); oDay.push(rday); oFirstLine.push(rfirst); oLines.push(picked); oReturn.push(channel - 8);
          returns++;
        }
      }
      t += Math.max(r.exp(lambda), 0.5);
    }
  }

  // Date order (ties in creation order), then ids increasing with the date.
  const nOrders = oDay.length;
  const order = new Int32Array(nOrders).map((_, i) => i);
  order.sort((a, b) => oDay[a] - oDay[b] || a - b);

  const dates = Array.from({ length: DAYS }, (_, d) => isoDate(d));
  const categoryText = CATEGORIES.map(([name]) => (name.includes(",") ? `"${name}"` : name));
  const tmp = `${path}.tmp-${process.pid}`;
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(tmp, "w");
  const hash = createHash("sha256");
  let bytes = 0;
  let buffer = HEADER + "\n";
  let written = 0;
  const flush = () => {
    const b = Buffer.from(buffer, "utf8");
    writeSync(fd, b);
    hash.update(b);
    bytes += b.length;
    buffer = "";
  };
  let usedOrders = 0;
  for (let k = 0; k < nOrders && written < rows; k++) {
    const o = order[k];
    const isReturn = oReturn[o] < 0;
    const id = isReturn ? `C${1_000_000 + k}` : `${1_000_000 + k}`;
    const customer = `u${String(oCustomer[o]).padStart(6, "0")}`;
    const date = dates[oDay[o]];
    const channel = CHANNELS[isReturn ? oReturn[o] + 8 : oReturn[o]];
    for (let i = 0; i < oLines[o] && written < rows; i++) {
      const l = oFirstLine[o] + i;
      const p = lProduct[l];
      buffer += `${id},${customer},${date},${money(lCents[l])},${lQty[l]},P${String(p).padStart(5, "0")},${categoryText[productCategory[p]]},${channel}\n`;
      written++;
    }
    usedOrders++;
    if (buffer.length > 1 << 20) flush();
  }
  flush();
  closeSync(fd);
  renameSync(tmp, path);
  return { rows: written, bytes, sha256: hash.digest("hex"), customers, orders: usedOrders, returns };
}

/** The cached file for (rows, seed), generated when missing or made by other parameters. */
export function dataset({ rows, seed = 42, log = () => {} }) {
  const path = join(DATA_DIR, `transactions-${rows}-s${seed}-v${GENERATOR_VERSION}.csv`);
  const metaPath = `${path}.json`;
  const params = { rows, seed, version: GENERATOR_VERSION };
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, "utf8"));
      if (JSON.stringify(meta.params) === JSON.stringify(params)) return { path, ...meta };
    } catch {
      // regenerate
    }
  }
  log(`generating ${rows.toLocaleString("en-US")} rows (seed ${seed}) → ${path}`);
  const t0 = performance.now();
  const info = generate({ rows, seed, path });
  const meta = { params, ...info, generatedMs: Math.round(performance.now() - t0) };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + "\n");
  return { path, ...meta };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const rows = Number(arg("--rows", "1000000"));
  const seed = Number(arg("--seed", "42"));
  const out = arg("--out");
  const info = out ? { path: out, ...generate({ rows, seed, path: out }) } : dataset({ rows, seed, log: console.error });
  console.log(JSON.stringify(info, null, 2));
}
