// Tests of the clvkit CLI (js/cli.js), run as a child process exactly as users run it.
// Needs the built package (dist/wasm) for the calculator cases; help/usage cases do not.
//   node --test tests/js/cli.test.mjs

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../js/cli.js", import.meta.url));
const PKG = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

function run(...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function json(...args) {
  const r = run(...args, "--json");
  assert.equal(r.code, 0, `exit ${r.code}; stderr: ${r.stderr}`);
  assert.equal(r.stderr, "");
  return JSON.parse(r.stdout);
}

const KINDS = ["simple", "profit", "retention", "cac", "ratio", "what-if"];
const ARTICLE = ["--average-order-value", "75", "--purchase-frequency", "3", "--lifespan-years", "4"];
const PROFIT = [...ARTICLE, "--gross-margin-percent", "40", "--yearly-service-cost", "10", "--cac", "120"];
const CHANNELS = ["--channel", "paid search:4000:50", "--channel", "social:2500:40", "--channel", "referral:500:25"];

describe("calc --json", () => {
  test("simple: the article case 75 x 3/yr x 4 yrs = 900.00", () => {
    const r = json("calc", "simple", ...ARTICLE);
    assert.equal(r.kind, "simple");
    assert.equal(r.clv, "900.00");
    assert.equal(r.annualValue, "225.00");
    assert.equal(typeof r.formula, "string");
  });

  test("simple: amounts stay exact strings (thousands separators, 10 decimals, interval, churn)", () => {
    assert.equal(json("calc", "simple", "--average-order-value", "1,234.50", "--purchase-frequency", "1", "--lifespan-years", "1").clv, "1234.50");
    assert.equal(
      json("calc", "simple", "--average-order-value", "0.1", "--purchase-frequency", "3", "--lifespan-years", "1", "--decimals", "10").clv,
      "0.3000000000",
    );
    assert.equal(json("calc", "simple", ...ARTICLE, "--decimals", "0").clv, "900");
    const alt = json("calc", "simple", "--average-order-value", "75", "--purchase-interval-months", "4", "--annual-churn-rate", "0.25");
    assert.equal(alt.clv, "900.00");
    assert.equal(json("calc", "simple", ...ARTICLE, "--multiplier", "2").clv, "1800.00");
    // --opt=value works too
    assert.equal(json("calc", "simple", "--average-order-value=75", "--purchase-frequency=3", "--lifespan-years=4").clv, "900.00");
  });

  test("profit", () => {
    const r = json("calc", "profit", ...PROFIT);
    assert.equal(r.kind, "profit");
    assert.equal(r.revenueClv, "900.00");
    assert.equal(r.grossProfitPerOrder, "30.00");
    assert.equal(r.grossProfitClv, "360.00");
    assert.equal(r.serviceCost, "40.00");
    assert.equal(r.profitClv, "320.00");
    assert.equal(r.netClv, "200.00");
  });

  test("retention", () => {
    const r = json("calc", "retention", "--margin-per-period", "100", "--retention-rate", "0.8", "--discount-rate", "0.1", "--horizon-periods", "1");
    assert.equal(r.kind, "retention");
    assert.equal(r.clvFirstPaymentNow, "366.67"); // 100 x 1.1 / 0.3
    assert.equal(r.clvFuturePaymentsOnly, "266.67"); // 100 x 0.8 / 0.3
    assert.equal(r.undiscountedClv, "500.00"); // 100 / 0.2
    assert.deepEqual(r.horizon, { periods: 1, clv: "100.00" });
    const c = json("calc", "retention", "--margin-per-period", "100", "--churn-rate", "0.2");
    assert.equal(c.clvFirstPaymentNow, "500.00");
  });

  test("cac: channels and blended", () => {
    const r = json("calc", "cac", ...CHANNELS);
    assert.equal(r.kind, "cac");
    assert.deepEqual(
      r.channels.map((c) => [c.channel, c.spend, c.newCustomers, c.cac]),
      [
        ["paid search", "4000.00", 50, "80.00"],
        ["social", "2500.00", 40, "62.50"],
        ["referral", "500.00", 25, "20.00"],
      ],
    );
    assert.deepEqual(r.blended, { spend: "7000.00", newCustomers: 115, cac: "60.87" });
  });

  test("cac: a channel name may contain ':' (split from the right); single total", () => {
    const r = json("calc", "cac", "--channel", "web:organic:1,000:8");
    assert.equal(r.channels[0].channel, "web:organic");
    assert.equal(r.channels[0].cac, "125.00");
    const t = json("calc", "cac", "--spend", "1000", "--new-customers", "8");
    assert.equal(t.blended.cac, "125.00");
    assert.deepEqual(t.channels, []);
  });

  test("ratio: clv 2500 / cac 800 = 3.125, healthy, with payback", () => {
    const r = json("calc", "ratio", "--clv", "2500", "--cac", "800");
    assert.equal(r.kind, "clvCacRatio");
    assert.equal(r.ratio, 3.125);
    assert.equal(r.band, "healthy");
    assert.equal(r.payback, null);
    const p = json("calc", "ratio", "--clv", "2500", "--cac", "800", "--monthly-revenue-per-customer", "100", "--gross-margin-percent", "80");
    assert.equal(p.payback.months, 10);
    assert.equal(p.payback.monthlyGrossProfit, "80.00");
    assert.equal(p.payback.withinTwelveMonths, true);
  });

  test("what-if", () => {
    const r = json("calc", "what-if", ...PROFIT);
    assert.equal(r.kind, "whatIf");
    assert.equal(r.base.netClv, "200.00");
    assert.equal(r.levers.length, 5);
    const byLever = Object.fromEntries(r.levers.map((l) => [l.lever, l]));
    assert.equal(byLever.averageOrderValue.delta, "36.00");
    assert.equal(byLever.cac.delta, "12.00");
    assert.equal(r.levers[0].lever, "averageOrderValue"); // ties keep Lever order
    // the alias works and --change-percent is passed through
    assert.equal(json("calc", "whatif", ...PROFIT, "--change-percent", "20").changePercent, 20);
  });
});

describe("calc table output", () => {
  test("simple prints aligned label/value rows and the formula", () => {
    const r = run("calc", "simple", ...ARTICLE);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    const clvLine = lines.find((l) => l.startsWith("CLV "));
    const annualLine = lines.find((l) => l.startsWith("Annual value"));
    assert.match(clvLine, /^CLV\s+900\.00$/);
    assert.match(annualLine, /^Annual value\s+225\.00$/);
    assert.equal(clvLine.indexOf("900.00"), annualLine.indexOf("225.00"), "values are aligned in one column");
    assert.match(r.stdout, /^Formulas?:/m);
    assert.doesNotMatch(r.stdout, /[{}]/, "not JSON");
  });

  test("cac prints the channel table and blended CAC", () => {
    const r = run("calc", "cac", ...CHANNELS);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Blended CAC\s+60\.87$/m);
    assert.match(r.stdout, /^Channel\s+Spend\s+Customers\s+CAC/m);
    assert.match(r.stdout, /^paid search\s+4000\.00\s+50\s+80\.00\s/m);
    assert.match(r.stdout, /^social\s+2500\.00\s+40\s+62\.50\s/m);
    assert.match(r.stdout, /^referral\s+500\.00\s+25\s+20\.00\s/m);
  });

  test("every kind prints a table", () => {
    const args = {
      simple: ARTICLE,
      profit: PROFIT,
      retention: ["--margin-per-period", "100", "--retention-rate", "0.8", "--horizon-periods", "12"],
      cac: CHANNELS,
      ratio: ["--clv", "2500", "--cac", "800", "--monthly-revenue-per-customer", "100"],
      "what-if": PROFIT,
    };
    const expect = { simple: "900.00", profit: "200.00", retention: "500.00", cac: "60.87", ratio: "healthy", "what-if": "36.00" };
    for (const kind of KINDS) {
      const r = run("calc", kind, ...args[kind]);
      assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
      assert.ok(r.stdout.includes(expect[kind]), `${kind} output has ${expect[kind]}:\n${r.stdout}`);
      assert.match(r.stdout, /Formula/, kind);
    }
  });
});

describe("help and version", () => {
  test("--help lists every command and kind", () => {
    const r = run("--help");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: clvkit <command>/);
    assert.match(r.stdout, /^\s+calc <kind>/m);
    for (const k of KINDS) assert.match(r.stdout, new RegExp(`^\\s+${k}\\s+\\S`, "m"), k);
  });

  test("calc --help lists every kind with all of its options", () => {
    const r = run("calc", "--help");
    assert.equal(r.code, 0);
    for (const k of KINDS) assert.match(r.stdout, new RegExp(`Options for '${k}'`), k);
    for (const opt of [
      "--average-order-value",
      "--purchase-frequency",
      "--purchase-interval-months",
      "--lifespan-years",
      "--annual-churn-rate",
      "--multiplier",
      "--gross-margin-percent",
      "--cost-of-goods-per-order",
      "--yearly-service-cost",
      "--cac",
      "--change-percent",
      "--margin-per-period",
      "--retention-rate",
      "--churn-rate",
      "--discount-rate",
      "--horizon-periods",
      "--spend",
      "--new-customers",
      "--channel",
      "--clv",
      "--monthly-revenue-per-customer",
      "--decimals",
    ])
      assert.ok(r.stdout.includes(opt), opt);
  });

  test("calc <kind> --help shows that kind's options with a meaning each", () => {
    for (const k of KINDS) {
      const r = run("calc", k, "--help");
      assert.equal(r.code, 0, k);
      assert.match(r.stdout, /--json\s+\S/);
      assert.match(r.stdout, /--decimals <0-10>\s+\S/);
      assert.match(r.stdout, new RegExp(`clvkit calc ${k} --`), "has an example");
    }
    const s = run("calc", "simple", "--help").stdout;
    assert.match(s, /--average-order-value <amount>\s+Average order value/);
    assert.doesNotMatch(s, /--channel/);
  });

  test("--version prints the package version", () => {
    const r = run("--version");
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), `clvkit ${PKG.version}`);
    assert.equal(run("-V").stdout.trim(), `clvkit ${PKG.version}`);
  });
});

describe("errors", () => {
  test("a ClvkitError exits 1 with [CODE] field: message on stderr", () => {
    const r = run("calc", "simple", "--average-order-value", "-5", "--purchase-frequency", "3", "--lifespan-years", "4");
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^clvkit: error \[NEGATIVE\] averageOrderValue: \S/);

    const bad = run("calc", "simple", "--average-order-value", "1,2.3", "--purchase-frequency", "3", "--lifespan-years", "4");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^clvkit: error \[INVALID_NUMBER\] averageOrderValue: \S/);

    const missing = run("calc", "simple", "--purchase-frequency", "3", "--lifespan-years", "4");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^clvkit: error \[MISSING_FIELD\] averageOrderValue: /);

    const zero = run("calc", "ratio", "--clv", "100", "--cac", "0");
    assert.equal(zero.code, 1);
    assert.match(zero.stderr, /^clvkit: error \[ZERO_CAC\] cac: /);

    const ch = run("calc", "cac", "--channel", "a:100:2", "--channel", "b:-3:1");
    assert.equal(ch.code, 1);
    assert.match(ch.stderr, /^clvkit: error \[NEGATIVE\] channels\[1\]\.spend: /);

    const conflict = run("calc", "simple", ...ARTICLE, "--purchase-interval-months", "4");
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /^clvkit: error \[CONFLICTING_FIELDS\] /);
  });

  test("usage errors exit 2 with a hint", () => {
    const unknownOpt = run("calc", "simple", ...ARTICLE, "--average-ordr-value", "3");
    assert.equal(unknownOpt.code, 2);
    assert.match(unknownOpt.stderr, /unknown option --average-ordr-value/);
    assert.match(unknownOpt.stderr, /hint: Did you mean --average-order-value\?/);

    const wrongKindOpt = run("calc", "ratio", "--clv", "1", "--cac", "1", "--channel", "a:1:1");
    assert.equal(wrongKindOpt.code, 2);

    const unknownKind = run("calc", "simpel", ...ARTICLE);
    assert.equal(unknownKind.code, 2);
    assert.match(unknownKind.stderr, /unknown calculator kind 'simpel'/);
    assert.match(unknownKind.stderr, /hint: .*simple/);

    const noKind = run("calc");
    assert.equal(noKind.code, 2);
    assert.match(noKind.stderr, /hint:/);

    const missingValue = run("calc", "simple", "--average-order-value");
    assert.equal(missingValue.code, 2);
    assert.match(missingValue.stderr, /missing value for --average-order-value/);

    const flagAsValue = run("calc", "simple", "--average-order-value", "--json");
    assert.equal(flagAsValue.code, 2);

    const twice = run("calc", "simple", ...ARTICLE, "--lifespan-years", "5");
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /more than once/);

    const badChannel = run("calc", "cac", "--channel", "nocolons");
    assert.equal(badChannel.code, 2);
    assert.match(badChannel.stderr, /name:spend:newCustomers/);

    const unknownCmd = run("frobnicate");
    assert.equal(unknownCmd.code, 2);
    assert.match(unknownCmd.stderr, /unknown command 'frobnicate'/);

    const stray = run("calc", "simple", "75");
    assert.equal(stray.code, 2);

    const none = run();
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage:/);
  });
});

describe("file commands", () => {
  const fixture = fileURLToPath(new URL("../fixtures/btyd_transactions.csv", import.meta.url));
  const expected = readFileSync(new URL("../fixtures/btyd_summary_days.csv", import.meta.url), "utf8").trim().split("\n");

  test("summary prints the BTYD table as CSV, rows accounted on stderr", () => {
    const r = run("summary", fixture, "--observation-end", "2023-12-31");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.ok(lines[0].startsWith("customer_id,frequency,recency,T,monetary_value,"));
    assert.equal(lines.length, expected.length);
    assert.match(r.stderr, /read 1993 rows: 1993 accepted, 0 rejected/);
    const ours = new Map(lines.slice(1).map((l) => [l.split(",")[0], l.split(",").slice(1, 5).map(Number)]));
    for (const line of expected.slice(1)) {
      const [id, ...values] = line.split(",");
      values.map(Number).forEach((v, i) => assert.ok(Math.abs(ours.get(id)[i] - v) < 1e-9, `${id} column ${i}`));
    }
  });

  test("summary in weeks, --json, kpis, cohorts, segments", () => {
    const fileJson = (...args) => {
      const r = run(...args, "--json");
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const weeks = fileJson("summary", fixture, "--unit", "weeks");
    assert.equal(weeks.unit, "weeks");
    assert.ok(Array.isArray(weeks.frequency));
    const btyd = run("summary", fixture, "--columns", "frequency, recency,T,monetary_value");
    assert.equal(btyd.code, 0, btyd.stderr);
    const full = run("summary", fixture).stdout.trim().split("\n");
    assert.deepEqual(btyd.stdout.trim().split("\n"), full.map((l) => l.split(",").slice(0, 5).join(",")));
    assert.deepEqual(Object.keys(fileJson("summary", fixture, "--columns", "revenue")), ["unit", "asOf", "customerId", "revenue"]);
    const badColumn = run("summary", fixture, "--columns", "frequency,spend");
    assert.equal(badColumn.code, 1);
    assert.match(badColumn.stderr, /OUT_OF_RANGE.*"spend" is not a customer table column/);
    assert.match(run("summary", "--help").stdout, /--columns <name,\.\.\.>/);
    const k = fileJson("kpis", fixture);
    assert.equal(k.customers, 300);
    const table = run("kpis", fixture);
    assert.match(table.stdout, /repeatPurchaseRate\s+0\.69/);
    const cohorts = run("cohorts", fixture).stdout.trim().split("\n");
    assert.ok(cohorts[0].startsWith("cohort,customers,month_0,month_1"));
    assert.equal(cohorts.slice(1).reduce((n, l) => n + Number(l.split(",")[1]), 0), 300);
    const segments = run("segments", fixture).stdout.trim().split("\n");
    assert.equal(segments[0], "customer_id,recency_days,frequency,monetary,r,f,m,segment,lifecycle_stage");
    assert.equal(segments.length, 301);
  });

  test("ingest options and row errors", () => {
    const dir = fileURLToPath(new URL(".", import.meta.url));
    const file = `${dir}/../../target/cli-test-eu.csv`;
    writeFileSync(file, "Kunde;Datum;Betrag\nk1;03.04.2024;1.234,50\nk1;05.04.2024;10,00\nk2;31.02.2024;5,00\n");
    const r = run("summary", file, "--map", "customerId=Kunde", "--map", "date=Datum", "--map", "amount=Betrag");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /read 3 rows: 2 accepted, 1 rejected/);
    assert.match(r.stderr, /line 4, column 2 \(Datum\): \[INVALID_DATE\]/);
    assert.match(r.stdout, /^k1,1,2,2,10,2024-04-03,2024-04-05,2,2,1244\.50,622\.25$/m);
    const strict = run("summary", file, "--map", "customerId=Kunde", "--strict");
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /error \[(INVALID_DATE|MISSING_COLUMN)\]/);
    assert.equal(run("summary").code, 2);
    assert.equal(run("summary", fixture, "--unit").code, 2);
    assert.equal(run("summary", fixture, "--map", "nonsense").code, 2);
    const missing = run("kpis", `${dir}/no-such-file.csv`);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*no such file/);
    assert.match(run("summary", "--help").stdout, /--observation-end/);
  });
});

describe("cross-sell commands", () => {
  const dir = fileURLToPath(new URL("../../target/", import.meta.url));
  const toy = readFileSync(new URL("../fixtures/recommend_mlxtend_toy.tsv", import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("B\t"))
    .map((l) => l.slice(2));
  const basketsFile = `${dir}cli-test-baskets.txt`;
  writeFileSync(basketsFile, toy.join("\n") + "\n");
  // Camera shop: cameras with bags; half the customers later move up to the pro camera.
  const shopFile = `${dir}cli-test-shop.csv`;
  const shop = ["order_id,customer_id,date,product_id,category,quantity,unit_price"];
  for (let c = 1; c <= 20; c++) {
    shop.push(`A${c},c${c},2024-01-05,CAM,camera,1,300.00`);
    if (c % 4 !== 0) shop.push(`A${c},c${c},2024-01-05,BAG,bag,1,40.00`);
    if (c % 2 === 0) shop.push(`B${c},c${c},2024-03-10,CAM-PRO,camera,1,900.00`);
  }
  writeFileSync(shopFile, shop.join("\n") + "\n");
  const ok = (...args) => {
    const r = run(...args);
    assert.equal(r.code, 0, r.stderr);
    return r;
  };

  test("rules --baskets prints mlxtend's columns, items sorted and |-joined, inf for infinite conviction", () => {
    const r = ok("rules", basketsFile, "--baskets", "--min-support", "0.6");
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "antecedents,consequents,antecedent support,consequent support,support,confidence,lift,leverage,conviction,zhangs_metric,jaccard,certainty,kulczynski");
    assert.equal(lines.length, 1 + 16);
    assert.ok(lines.includes("Onion,Eggs|Kidney Beans,0.6,0.8,0.6,1,1.25,0.12,inf,0.5,0.75,1,0.875"), r.stdout);
    assert.match(r.stderr, /read 5 rows: 5 accepted, 0 rejected/);
    // --min-confidence is a confidence filter; --max-len bounds the itemsets.
    const sure = ok("rules", basketsFile, "--baskets", "--min-support", "0.6", "--min-confidence", "1").stdout.trim().split("\n").slice(1);
    assert.equal(sure.length, 8);
    assert.ok(sure.every((l) => l.split(",")[5] === "1" && l.split(",")[8] === "inf"));
    const pairs = ok("rules", basketsFile, "--baskets", "--min-support", "0.6", "--max-len", "2").stdout.trim().split("\n").slice(1);
    assert.equal(pairs.length, 10);
    assert.ok(pairs.every((l) => !l.includes("|")));
    const j = JSON.parse(ok("rules", basketsFile, "--baskets", "--min-support", "0.6", "--json").stdout);
    assert.equal(j.rules.antecedents.length, 16);
    assert.equal(j.rules.conviction.filter((c) => c === "inf").length, 8);
  });

  test("rules of a transactions file: one basket per order", () => {
    const lines = ok("rules", shopFile, "--min-support", "0.1").stdout.trim().split("\n");
    assert.ok(lines.some((l) => l.startsWith("BAG,CAM,0.5,0.6666666666666666,0.5,1,1.5,") && l.includes(",inf,")), lines.join("\n"));
  });

  test("similar, upsell and recommend print CSV; recommend's score is the expected value", () => {
    const sim = ok("similar", shopFile, "--top-k", "1").stdout.trim().split("\n");
    assert.equal(sim[0], "item_id,other_id,rank,co_buyers,item_buyers,other_buyers,cosine,also_bought,expected,lift,llr");
    assert.ok(sim.some((l) => l.startsWith("BAG,CAM,1,15,15,20,")), sim.join("\n"));
    const up = ok("upsell", shopFile).stdout.trim().split("\n");
    assert.equal(up[0], "item_id,target_id,category,rank,item_price,target_price,movers,item_buyers,rate,median_step");
    assert.equal(up[1], "CAM,CAM-PRO,camera,1,300.00,900.00,10,20,0.5,600.00");
    const rec = ok("recommend", shopFile, "--top", "1");
    const lines = rec.stdout.trim().split("\n");
    assert.equal(lines[0], "customer_id,rank,item,score,reason");
    // 30 orders (baskets): BAG in 15, CAM in 20, both in 15. c1 bought CAM and BAG: the pro camera, P = 10/20 upgraded, valued at its price 900.
    assert.equal(lines.find((l) => l.startsWith("c1,")), 'c1,1,CAM-PRO,450,"bought CAM; 50% of CAM buyers also bought CAM-PRO, lift 1.0"');
    assert.ok(lines.slice(1).every((l) => l.split(",")[1] === "1"));
    // The candidates: CAM-PRO (P 0.5) for the 10 customers without it, BAG (P 0.75: 15 of 20 CAM
    // buyers) for the 5 without it. A floor of 0.8 leaves none and counts all 15.
    const j = JSON.parse(ok("recommend", shopFile, "--top", "2", "--min-probability", "0.8", "--json").stdout);
    assert.equal(j.offers.itemId.length, 0);
    assert.equal(j.belowFloor, 15);
    assert.equal(JSON.parse(ok("recommend", shopFile, "--min-probability", "0.6", "--json").stdout).belowFloor, 10);
    assert.match(run("recommend", shopFile, "--min-probability", "0.6").stderr, /under the relevance floor/);
  });

  test("evaluate prints precision, recall, hit rate, NDCG and coverage per model", () => {
    const r = ok("evaluate", shopFile, "--cut-date", "2024-02-01", "--k", "2");
    assert.match(r.stdout, /^cut date 2024-02-01, k = 2: \d+ customers evaluated/);
    assert.match(r.stdout, /model\s+precision@k\s+recall@k\s+hit rate\s+NDCG@k\s+coverage/);
    for (const m of ["nextBestOffer", "popularity", "ownMostBought"]) assert.match(r.stdout, new RegExp(`^${m}(\\s+[01]\\.\\d{4}){5}$`, "m"), m);
    const j = JSON.parse(ok("evaluate", shopFile, "--cut-date", "2024-02-01", "--json").stdout);
    assert.equal(j.k, 5);
    assert.ok(j.models.every((m) => typeof m.ndcgAtK === "number"));
  });

  test("cross-sell usage and input errors", () => {
    const noSupport = run("rules", basketsFile, "--baskets");
    assert.equal(noSupport.code, 2);
    assert.match(noSupport.stderr, /missing --min-support/);
    assert.equal(run("evaluate", shopFile).code, 2);
    assert.equal(run("rules", basketsFile, "--baskets", "--min-support", "0.5", "--date-format", "dmy").code, 2);
    const bad = run("rules", basketsFile, "--baskets", "--min-support", "2");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error \[OUT_OF_RANGE\] minSupport: /);
    const date = run("evaluate", shopFile, "--cut-date", "2024-13-01");
    assert.equal(date.code, 1);
    assert.match(date.stderr, /error \[INVALID_DATE\] cutDate: /);
    const late = run("evaluate", shopFile, "--cut-date", "2030-01-01");
    assert.equal(late.code, 1);
    assert.match(late.stderr, /error \[OUT_OF_RANGE\] cutDate: /);
    assert.equal(run("recommend", shopFile, "--top", "0").code, 1);
    for (const name of ["rules", "similar", "upsell", "recommend", "evaluate"]) {
      const help = run(name, "--help");
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`Usage: clvkit ${name} FILE`));
      assert.match(help.stdout, /--map <role=column>/);
    }
    assert.match(run("--help").stdout, /clvkit rules FILE \[--baskets\] --min-support S \[--min-confidence C\] \[--max-len K\] \[--json\]/);
  });
});

describe("model commands", () => {
  const it = test;
  const cdnow = fileURLToPath(new URL("../fixtures/cdnow_summary.csv", import.meta.url));
  const models = JSON.parse(readFileSync(new URL("../fixtures/lifetimes_models.json", import.meta.url), "utf8"));
  const shop = () => {
    const rows = ["customer_id,date,amount"];
    for (let c = 0; c < 200; c++) {
      for (let v = 0; v < 1 + (c % 6); v++) rows.push(`c${c},${new Date(Date.UTC(2024, 0, 1 + ((c * 5 + v * 37) % 300))).toISOString().slice(0, 10)},${10 + (c % 5)}.50`);
    }
    const file = join(mkdtempSync(join(tmpdir(), "clvkit-models-")), "orders.csv");
    writeFileSync(file, rows.join("\n") + "\n");
    return file;
  };

  it("fit prints the literature's parameter names and the log-likelihood (summary file, weeks)", () => {
    const r = run("fit", cdnow, "--model", "bgnbd", "--unit", "weeks");
    assert.equal(r.code, 0, r.stderr);
    const value = (name) => Number(r.stdout.match(new RegExp(`^\\s+${name}\\s+(\\S+)`, "m"))[1]);
    for (const [name, want] of Object.entries(models.models.bgNbd.params)) assert.ok(Math.abs(value(name) - want) < 1e-3, `${name}: ${r.stdout}`);
    assert.ok(Math.abs(value("log-likelihood") - models.models.bgNbd.logLikelihood) < 1e-3);
    const gg = run("fit", cdnow, "--model", "gammagamma");
    assert.match(gg.stdout, /^\s+v\s+15\.44/m);
    const j = JSON.parse(run("fit", cdnow, "--model", "pnbd", "--unit", "weeks", "--json").stdout);
    assert.deepEqual(Object.keys(j.transactions.params).sort(), ["alpha", "beta", "model", "r", "s"]);
  });

  it("predict prints the per-customer CSV; auto ranks the three models on a holdout", () => {
    const file = shop();
    const r = run("predict", file, "--model", "mbgnbd", "--horizon", "6", "--discount-rate", "0.01");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "customer_id,p_alive,expected_purchases,expected_spend,clv,churn_risk");
    assert.equal(lines.length, 201);
    const a = run("fit", file, "--model", "auto");
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^best: (bgNbd|mbgNbd|paretoNbd)$/m);
    for (const m of ["bgNbd", "mbgNbd", "paretoNbd"]) assert.match(a.stdout, new RegExp(`^${m}\\s`, "m"));
  });

  it("fit shows its progress on stderr when stderr is a terminal, and clears it", async () => {
    const { main } = await import("../../js/cli.js");
    const capture = (tty) => {
      const io = { out: () => {}, err: (s) => io.text.push(s), tty, text: [] };
      return io;
    };
    const tty = capture(true);
    assert.equal(await main(["fit", cdnow, "--model", "bgnbd", "--unit", "weeks"], tty), 0);
    const progress = tty.text.filter((s) => s.startsWith("\r\x1b[2K"));
    assert.match(progress[0], /^\r\x1b\[2Kfitting bgNbd \(1\/2\): iteration \d+, log-likelihood -\d+\.\d\d$/);
    assert.ok(progress.some((s) => s.includes("(2/2)") && s.includes("gammaGamma")));
    assert.equal(progress.at(-1), "\r\x1b[2K", "the line is cleared at the end");
    const plain = capture(false);
    assert.equal(await main(["fit", cdnow, "--model", "bgnbd", "--unit", "weeks"], plain), 0);
    assert.ok(plain.text.every((s) => !s.includes("\x1b")), "no progress when stderr is not a terminal");
  });

  it("bad models and horizons are usage errors; no repeat buyers is a library error", () => {
    const file = shop();
    assert.equal(run("fit", file, "--model", "nbd").code, 2);
    assert.equal(run("predict", file, "--horizon", "1.5").code, 2);
    assert.equal(run("predict", file, "--model", "gammagamma").code, 2);
    const dir = mkdtempSync(join(tmpdir(), "clvkit-models-"));
    writeFileSync(join(dir, "one.csv"), "customer_id,date,amount\na,2024-01-01,1\nb,2024-01-02,2\n");
    const e = run("fit", join(dir, "one.csv"));
    assert.equal(e.code, 1);
    assert.match(e.stderr, /INSUFFICIENT_DATA/);
  });
});
