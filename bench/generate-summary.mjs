// A simulated BTYD summary for the `models` suite: customers that follow the Pareto/NBD story with
// Gamma-Gamma spend, written once to bench/.data and reused (both tools read the same file).
//
//   node bench/generate-summary.mjs [customers] [seed]   # prints the path
//
// Process (seeded, deterministic): a 78-week (546-day) window; each customer's first purchase day
// is uniform in it; while alive they buy at rate λ ~ Gamma(r = 0.55, rate α = 74 days) and die at
// rate μ ~ Gamma(s = 0.6, rate β = 82 days) (CDNOW's Pareto/NBD fit, weeks → days); each repeat
// purchase happens on a whole day (the time rounded down, as a daily log records it). Spend: each
// repeat order is Gamma(p = 6.25, rate ν) with ν ~ Gamma(q = 3.74, rate γ = 15.44) (CDNOW's
// Gamma-Gamma fit), rounded to cents. The summary is in days as of the window's end:
// customer_id,frequency,recency,T,monetary_value (the mean repeat order value, 0 when x = 0).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "./lib.mjs";

export const VERSION = 1;
export const PROCESS = {
  days: 546,
  r: 0.55,
  alpha: 74,
  s: 0.6,
  beta: 82,
  p: 6.25,
  q: 3.74,
  gamma: 15.44,
};

/** A small seeded generator (sfc32) as doubles in (0, 1): fast and the same on every platform. */
function rng(seed) {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88;
  let c = 0xb7e15162 ^ Math.imul(seed, 0x85ebca6b);
  let d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 20; i++) next();
  return () => (next() + 0.5) / 4294967296;
}

/** Standard normal (Box-Muller, one of the pair). */
function normal(u) {
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape k, rate θ) by Marsaglia & Tsang (k < 1 via the U^(1/k) boost). */
function gamma(u, k, rate) {
  if (k < 1) return gamma(u, k + 1, rate) * u() ** (1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x, v;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (Math.log(w) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/** The summary as CSV text, one customer per line. */
export function simulate(customers, seed) {
  const u = rng(seed);
  const { days, r, alpha, s, beta, p, q, gamma: g } = PROCESS;
  const lines = new Array(customers + 1);
  lines[0] = "customer_id,frequency,recency,T,monetary_value";
  for (let i = 0; i < customers; i++) {
    const start = Math.floor(u() * days);
    const T = days - 1 - start;
    const lambda = gamma(u, r, alpha);
    const mu = gamma(u, s, beta);
    const life = -Math.log(u()) / mu;
    const end = Math.min(T, life);
    let t = 0;
    let x = 0;
    let last = 0;
    for (;;) {
      t += -Math.log(u()) / lambda;
      if (!(t <= end)) break;
      const day = Math.floor(t);
      // Purchases on one day are one purchase day, as in a summary made from transactions.
      if (day > last) {
        x++;
        last = day;
      }
    }
    let m = 0;
    if (x > 0) {
      const nu = gamma(u, q, g);
      let total = 0;
      for (let k = 0; k < x; k++) total += Math.round(gamma(u, p, nu) * 100) / 100;
      m = total / x;
    }
    lines[i + 1] = `c${i},${x},${x > 0 ? last : 0},${T},${x > 0 ? Number(m.toFixed(6)) : 0}`;
  }
  return lines.join("\n") + "\n";
}

/** The file for (customers, seed): generated on first use, then reused. */
export function summaryFile({ customers, seed = 42, log = () => {} }) {
  mkdirSync(DATA_DIR, { recursive: true });
  const path = join(DATA_DIR, `summary-${customers}-s${seed}-v${VERSION}.csv`);
  const meta = `${path}.json`;
  if (!existsSync(path) || !existsSync(meta)) {
    log(`generating ${customers} simulated customers (seed ${seed}) → ${path}`);
    const text = simulate(customers, seed);
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    writeFileSync(meta, JSON.stringify({ customers, seed, bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") }));
  }
  return { path, ...JSON.parse(readFileSync(meta, "utf8")) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = summaryFile({ customers: Number(process.argv[2] ?? 1_000_000), seed: Number(process.argv[3] ?? 42), log: console.error });
  console.log(f.path);
}
