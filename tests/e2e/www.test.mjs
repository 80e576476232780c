// End-to-end test of the demo page (www/) served by scripts/serve.mjs, in the system Chromium.
//   node --test tests/e2e/www.test.mjs
// Needs the built package (dist/wasm) and /usr/bin/chromium (or CHROMIUM_PATH). Never downloads a browser.
// Leaves a screenshot in tests/e2e/artifacts/www.png.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer, CSP, WORKER_CSP } from "../../scripts/serve.mjs";

const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const AXE_SOURCE = readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

const EXPECTED_CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'none'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let server;
let origin;

before(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1" });
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

/** A raw GET that keeps the path exactly as written (no URL normalisation). */
function rawGet(path, method = "GET") {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: server.address().port, path, method }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("scripts/serve.mjs", () => {
  test("serves www/ and the package with the right MIME types and security headers", async () => {
    assert.equal(CSP, EXPECTED_CSP);
    const cases = [
      ["/", "text/html"],
      ["/index.html", "text/html"],
      ["/app.js", "text/javascript"],
      ["/style.css", "text/css"],
      ["/favicon.svg", "image/svg+xml"],
      ["/clvkit/js/index.js", "text/javascript"],
      ["/clvkit/dist/wasm/clvkit.js", "text/javascript"],
      ["/clvkit/dist/wasm/clvkit_bg.wasm", "application/wasm"],
      ["/vendor/chart.umd.min.js", "text/javascript"],
      ["/sample/orders.csv", "text/csv"],
    ];
    for (const [path, type] of cases) {
      const r = await rawGet(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers["content-type"].split(";")[0], type, path);
      assert.equal(r.headers["content-security-policy"], EXPECTED_CSP, path);
      assert.equal(r.headers["x-content-type-options"], "nosniff", path);
      assert.equal(r.headers["referrer-policy"], "no-referrer", path);
    }
    // The analysis worker, which holds the user's data, may not connect at all.
    const worker = await rawGet("/worker.js");
    assert.equal(worker.status, 200);
    assert.equal(worker.headers["content-security-policy"], WORKER_CSP);
    assert.equal(WORKER_CSP, EXPECTED_CSP.replace("connect-src 'self'", "connect-src 'none'"));
    const head = await rawGet("/app.js", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
  });

  test("404s, no directory listing, nothing else from the repo, no traversal", async () => {
    const denied = [
      "/nope.html",
      "/clvkit/",
      "/clvkit/js/",
      "/clvkit/dist/",
      "/clvkit/dist/wasm/",
      "/clvkit/package.json",
      "/clvkit/src/lib.rs",
      "/clvkit/Cargo.toml",
      "/package.json",
      "/../package.json",
      "/%2e%2e/package.json",
      "/clvkit/js/../../package.json",
      "/clvkit/js/%2e%2e/%2e%2e/package.json",
      "/clvkit/js/..%2f..%2fpackage.json",
      "/clvkit/js/..%5c..%5cpackage.json",
      "/clvkit/dist/../js/cli.js",
      "/%00",
      "/index.html%00.js",
      "/%",
      "/.git/config",
      "/clvkit/js/../../.git/HEAD",
      "/vendor/",
      "/vendor/chart.js",
      "/vendor/chart.umd.min.js.map",
      "/vendor/../package.json",
    ];
    for (const path of denied) {
      const r = await rawGet(path);
      assert.equal(r.status, 404, `${path} -> ${r.status}`);
      assert.equal(r.headers["content-security-policy"], EXPECTED_CSP, path);
      assert.doesNotMatch(r.body, /"name": "clvkit"|\[package\]|<a href/, path);
    }
    assert.equal((await rawGet("/", "POST")).status, 405);
  });
});

describe("www demo page", { timeout: 180_000 }, () => {
  let browser;
  let context;
  let page;
  const consoleErrors = [];
  const requests = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    context = await browser.newContext({ locale: "en-US", viewport: { width: 1200, height: 900 } });
    await context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber });
      });
    });
    page = await context.newPage();
    page.on("console", (msg) => {
      if (msg.type() === "error") consoleErrors.push(msg.text());
    });
    page.on("pageerror", (err) => consoleErrors.push(`pageerror: ${err.message}`));
    page.on("request", (req) => requests.push(req.url()));
    await page.goto(origin + "/", { waitUntil: "load" });
    await page.waitForSelector("html[data-clvkit=ready]", { timeout: 20_000 });
  });

  after(async () => {
    await browser?.close();
  });

  /** Text of the result value with data-key=key in a calculator's details list. */
  const detail = (calc, key) => page.locator(`#${calc}-details [data-key="${key}"] dd`);
  const exact = (calc, key) => page.locator(`#${calc}-details [data-key="${key}"] dd [data-exact]`).first().getAttribute("data-exact");

  async function expectFieldError(input, { code } = {}) {
    const el = page.locator(`#${input}`);
    await assertEventually(async () => (await el.getAttribute("aria-invalid")) === "true", `${input} aria-invalid`);
    const err = page.locator(`#${input}-error`);
    assert.ok(await err.isVisible(), `${input}-error visible`);
    const text = (await err.textContent()).trim();
    assert.ok(text.length > 0, "error message shown");
    const describedBy = (await el.getAttribute("aria-describedby")).split(/\s+/);
    assert.ok(describedBy.includes(`${input}-error`), "aria-describedby points at the error");
    // The error sits next to its field: same .field container.
    assert.equal(await page.locator(`.field:has(#${input}) #${input}-error`).count(), 1);
    if (code) assert.equal(await el.evaluate((e) => e.closest("form").dataset.errorCode), code);
    return text;
  }
  async function expectNoFieldError(input) {
    const el = page.locator(`#${input}`);
    assert.equal(await el.getAttribute("aria-invalid"), null, `${input} not invalid`);
    assert.equal(await page.locator(`#${input}-error`).isVisible(), false);
    assert.ok(!(await el.getAttribute("aria-describedby")).includes(`${input}-error`));
  }
  async function assertEventually(fn, what, ms = 3000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await fn()) return;
      await page.waitForTimeout(25);
    }
    assert.fail(`timed out waiting for ${what}`);
  }

  test("loads from the same origin and shows the article case", async () => {
    assert.equal(await page.title(), "clvkit: customer lifetime value from your order export, in your browser");
    assert.match(await page.locator("#status").textContent(), /Ready/);
    assert.match(await page.locator("#version").textContent(), /clvkit \d+\.\d+\.\d+/);
    assert.equal(await exact("simple", "clv"), "900.00");
    assert.equal(await detail("simple", "clv").textContent(), "$900.00");
    assert.match(await page.locator("#simple-result").textContent(), /\$900\.00/);
    assert.equal(await page.locator("#simple-result").getAttribute("aria-live"), "polite");
    assert.equal(await exact("simple", "annualValue"), "225.00");
    const formulaParts = await page.locator("#simple-details .formula code").allTextContents();
    assert.ok(formulaParts.some((f) => /averageOrderValue/.test(f)), `formula shown: ${formulaParts}`);
  });

  test("simple: recomputes on input", async () => {
    await page.fill("#simple-averageOrderValue", "100");
    assert.equal(await exact("simple", "clv"), "1200.00");
    await page.fill("#simple-averageOrderValue", "1,234.50");
    assert.equal(await exact("simple", "clv"), "14814.00");
    await page.check('#calc-simple input[type=radio][data-alt="purchaseIntervalMonths"]');
    await page.fill("#simple-purchaseIntervalMonths", "6"); // 2 per year
    assert.equal(await exact("simple", "clv"), "9876.00");
    await page.fill("#simple-purchaseIntervalMonths", "4");
    await page.check('#calc-simple input[type=radio][data-alt="purchaseFrequency"]');
    await page.fill("#simple-averageOrderValue", "75");
    assert.equal(await exact("simple", "clv"), "900.00");
  });

  test("simple: bad input shows the error next to the field, then recovers", async () => {
    await page.fill("#simple-averageOrderValue", "1,2.3");
    await expectFieldError("simple-averageOrderValue", { code: "INVALID_NUMBER" });
    assert.match(await page.locator("#simple-result").textContent(), /Cannot compute/);
    await page.fill("#simple-averageOrderValue", "-75");
    await expectFieldError("simple-averageOrderValue", { code: "NEGATIVE" });
    await page.fill("#simple-lifespanYears", "");
    await page.fill("#simple-averageOrderValue", "75");
    await expectFieldError("simple-lifespanYears", { code: "MISSING_FIELD" });
    await expectNoFieldError("simple-averageOrderValue");
    await page.fill("#simple-lifespanYears", "4");
    await expectNoFieldError("simple-lifespanYears");
    assert.equal(await exact("simple", "clv"), "900.00");
    assert.match(await page.locator("#simple-result").textContent(), /\$900\.00/);
  });

  test("profit CLV", async () => {
    assert.equal(await exact("profit", "revenueClv"), "900.00");
    assert.equal(await exact("profit", "grossProfitPerOrder"), "30.00");
    assert.equal(await exact("profit", "grossProfitClv"), "360.00");
    assert.equal(await exact("profit", "serviceCost"), "40.00");
    assert.equal(await exact("profit", "profitClv"), "320.00");
    assert.equal(await exact("profit", "netClv"), "200.00");
    // cost of goods instead of margin: 75 - 45 = 30 per order, margin 40%
    await page.check('#calc-profit input[type=radio][data-alt="costOfGoodsPerOrder"]');
    assert.equal(await exact("profit", "grossMarginPercent"), "40");
    assert.equal(await exact("profit", "netClv"), "200.00");
    await page.fill("#profit-costOfGoodsPerOrder", "60"); // 15 per order: 180 - 40 - 120 = 20
    assert.equal(await exact("profit", "netClv"), "20.00");
    await page.check('#calc-profit input[type=radio][data-alt="grossMarginPercent"]');
    await page.fill("#profit-grossMarginPercent", "140");
    await expectFieldError("profit-grossMarginPercent", { code: "OUT_OF_RANGE" });
    await page.fill("#profit-grossMarginPercent", "40");
    await expectNoFieldError("profit-grossMarginPercent");
    assert.equal(await exact("profit", "netClv"), "200.00");
  });

  test("retention CLV", async () => {
    assert.equal(await exact("retention", "clvFirstPaymentNow"), "366.67");
    assert.equal(await exact("retention", "clvFuturePaymentsOnly"), "266.67");
    assert.equal(await exact("retention", "undiscountedClv"), "500.00");
    assert.equal(await page.locator('#retention-details [data-key="horizon"] dt').textContent(), "CLV over 12 periods");
    await page.fill("#retention-retentionRate", "0.9"); // 100 x 1.1 / 0.2
    assert.equal(await exact("retention", "clvFirstPaymentNow"), "550.00");
    await page.fill("#retention-retentionRate", "1.5");
    await expectFieldError("retention-retentionRate", { code: "OUT_OF_RANGE" });
    await page.fill("#retention-retentionRate", "0.8");
    await expectNoFieldError("retention-retentionRate");
    await page.check('#calc-retention input[type=radio][data-alt="churnRate"]');
    assert.equal(await exact("retention", "clvFirstPaymentNow"), "366.67");
    assert.ok((await page.locator("#retention-details .formula").count()) >= 3, "formulas shown");
  });

  test("CAC per channel and blended, adding and removing rows", async () => {
    const rows = page.locator("#cac-details .channels-table tbody tr");
    const table = async () =>
      rows.evaluateAll((trs) => trs.map((tr) => [tr.cells[0].textContent, ...[...tr.cells].slice(1, 4).map((td) => td.querySelector("[data-exact]")?.dataset.exact ?? td.textContent)]));
    assert.deepEqual(await table(), [
      ["Paid search", "4000.00", "50", "80.00"],
      ["Social", "2500.00", "40", "62.50"],
      ["Referral", "500.00", "25", "20.00"],
    ]);
    assert.match(await page.locator("#cac-result").textContent(), /Blended CAC: \$60\.87/);
    assert.equal(await page.locator("#cac-details tfoot [data-exact]").first().getAttribute("data-exact"), "7000.00");

    await page.getByRole("button", { name: "Add channel" }).click();
    const nameInputs = page.locator("#calc-cac .channel-row input[name=channel]");
    assert.equal(await nameInputs.count(), 4);
    // the new row's first input has focus; a blank row is ignored, not an error
    assert.equal(await page.evaluate(() => document.activeElement.dataset.field), "channels[3].channel");
    assert.equal(await page.locator("#calc-cac form.has-error").count(), 0);
    assert.match(await page.locator("#cac-result").textContent(), /\$60\.87/);
    await page.keyboard.type("Email");
    const row4 = page.locator("#calc-cac .channel-row").nth(3);
    await row4.locator("input[name=spend]").fill("300");
    await row4.locator("input[name=newCustomers]").fill("15");
    assert.equal((await table())[3].join("|"), "Email|300.00|15|20.00");
    assert.match(await page.locator("#cac-result").textContent(), /\$56\.15/); // 7300 / 130

    await page.getByRole("button", { name: /Remove channel 2/ }).click();
    assert.deepEqual(
      (await table()).map((r) => r[0]),
      ["Paid search", "Referral", "Email"],
    );
    assert.match(await page.locator("#cac-result").textContent(), /\$53\.33/); // 4800 / 90

    // error in the 2nd row's spend lands next to that input
    const spend2 = page.locator("#calc-cac .channel-row").nth(1).locator("input[name=spend]");
    const spendId = await spend2.getAttribute("id");
    assert.equal(await spend2.getAttribute("data-field"), "channels[1].spend");
    await spend2.fill("-500");
    await expectFieldError(spendId, { code: "NEGATIVE" });
    await spend2.fill("500");
    await expectNoFieldError(spendId);
    assert.match(await page.locator("#cac-result").textContent(), /\$53\.33/);

    // a channel with no customers: CAC n/a and a warning, blended still computed
    await page.locator("#calc-cac .channel-row").nth(2).locator("input[name=newCustomers]").fill("0");
    assert.match(await page.locator("#cac-result").textContent(), /\$64\.00/); // 4800 / 75
    assert.ok(await page.locator("#cac-details .warnings li").count() >= 1, "warning shown");
    await page.locator("#calc-cac .channel-row").nth(2).locator("input[name=newCustomers]").fill("15");

    // no customers at all: the error goes under the channel list, which it describes
    const customers = page.locator("#calc-cac .channel-row input[name=newCustomers]");
    const saved = await customers.evaluateAll((els) => els.map((e) => e.value));
    for (let i = 0; i < saved.length; i++) await customers.nth(i).fill("0");
    assert.ok(await page.locator("#cac-channels-error").isVisible());
    assert.equal(await page.locator("#calc-cac fieldset.channels").getAttribute("aria-describedby"), "cac-channels-error");
    assert.equal(await page.locator("#calc-cac form").getAttribute("data-error-code"), "ZERO_NEW_CUSTOMERS");
    for (let i = 0; i < saved.length; i++) await customers.nth(i).fill(saved[i]);
    assert.equal(await page.locator("#cac-channels-error").isVisible(), false);
    assert.match(await page.locator("#cac-result").textContent(), /\$53\.33/);
  });

  test("CLV:CAC ratio with band and payback", async () => {
    assert.equal(await exact("ratio", "ratio"), "3.125");
    assert.equal(await page.locator("#ratio-result [data-band]").getAttribute("data-band"), "healthy");
    assert.match(await page.locator("#ratio-result").textContent(), /3\.13 : 1.*Healthy/);
    assert.equal(Number(await exact("ratio", "paybackMonths")).toFixed(2), "13.33"); // 800 / (100 x 60%)
    assert.equal(await exact("ratio", "monthlyGrossProfit"), "60.00");
    assert.equal(await detail("ratio", "withinTwelveMonths").textContent(), "No");
    await page.fill("#ratio-cac", "3000");
    assert.equal(await page.locator("#ratio-result [data-band]").getAttribute("data-band"), "losing");
    await page.fill("#ratio-cac", "0");
    await expectFieldError("ratio-cac", { code: "ZERO_CAC" });
    await page.fill("#ratio-cac", "800");
    await expectNoFieldError("ratio-cac");
    assert.equal(await exact("ratio", "ratio"), "3.125");
  });

  test("what-if levers", async () => {
    assert.equal(await exact("whatIf", "baseNetClv"), "200.00");
    const levers = await page.locator("#whatIf-details .levers-table tbody tr").evaluateAll((trs) =>
      trs.map((tr) => ({ lever: tr.dataset.lever, delta: tr.cells[4].querySelector("[data-exact]").dataset.exact })),
    );
    assert.equal(levers.length, 5);
    assert.deepEqual(levers[0], { lever: "averageOrderValue", delta: "36.00" });
    assert.deepEqual(levers.find((l) => l.lever === "cac"), { lever: "cac", delta: "12.00" });
    assert.match(await page.locator("#whatIf-result").textContent(), /Average order value/);
    await page.fill("#whatIf-changePercent", "0");
    await expectFieldError("whatIf-changePercent");
    await page.fill("#whatIf-changePercent", "10");
    await expectNoFieldError("whatIf-changePercent");
  });

  test("currency selector formats from the exact decimal string", async () => {
    await page.selectOption("#currency", "EUR");
    assert.match(await detail("simple", "clv").textContent(), /€900\.00/);
    assert.equal(await exact("simple", "clv"), "900.00");
    await page.selectOption("#currency", "JPY");
    assert.match(await detail("simple", "clv").textContent(), /¥900$/);
    assert.equal(await exact("simple", "clv"), "900");
    await page.selectOption("#currency", "USD");
    assert.equal(await detail("simple", "clv").textContent(), "$900.00");
    assert.equal(await detail("simple", "clv").locator("data").getAttribute("title"), "Exact: 900.00");
  });

  test("keyboard: tab to a field, change it, focus is visible", async () => {
    await page.evaluate(() => {
      document.activeElement?.blur();
      window.scrollTo(0, 0);
    });
    await page.locator("body").focus();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.id === "simple-averageOrderValue");
    }
    assert.ok(reached, "reached the average order value field with Tab");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "focus is visible");
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("80");
    assert.equal(await exact("simple", "clv"), "960.00");
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("75");
    assert.equal(await exact("simple", "clv"), "900.00");
    // radio alternatives work with arrow keys
    await page.focus('#calc-simple input[type=radio][data-alt="purchaseFrequency"]');
    await page.keyboard.press("ArrowRight");
    assert.ok(await page.locator("#simple-purchaseIntervalMonths").isVisible());
    assert.equal(await exact("simple", "clv"), "900.00"); // 75 x (12/4) x 4
    await page.keyboard.press("ArrowLeft");
    assert.ok(await page.locator("#simple-purchaseFrequency").isVisible());
  });

  test("accessibility: axe finds no serious or critical violations (light and dark)", async () => {
    // page.evaluate runs outside the page's CSP; a <script> tag would be (rightly) blocked by it.
    await page.evaluate(AXE_SOURCE);
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert.deepEqual(
        bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")})`),
        [],
        `${scheme} scheme`,
      );
    }
    await page.emulateMedia({ colorScheme: "light" });
    // with errors showing too
    await page.fill("#simple-averageOrderValue", "abc");
    const withError = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    assert.deepEqual(
      withError.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id),
      [],
    );
    await page.fill("#simple-averageOrderValue", "75");
  });

  test("phone width: no horizontal scrolling", async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(50);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page overflows by ${overflow}px at 360px`);
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  test("screenshot, no console errors, no CSP violations, same origin only", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: ARTIFACTS + "www.png", fullPage: true });
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    const foreign = requests.filter((u) => new URL(u).origin !== origin);
    assert.deepEqual(foreign, [], "every request goes to the page's origin");
    assert.ok(requests.some((u) => u.endsWith("/clvkit/dist/wasm/clvkit_bg.wasm")), "the wasm was loaded from the server");
  });
});
