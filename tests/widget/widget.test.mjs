// The embeddable <clv-calculator> (dist/widget, built once by scripts/build.sh) in Debian Chromium:
// a host page on one origin embeds the widget by a script tag from another origin (another port).
// Expected figures come from the package's calculators in Node. Never downloads a browser.
//   node --test tests/widget/widget.test.mjs
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { simpleClv, profitClv, retentionClv, cac, clvCacRatio } from "../../js/node.js";
import { MIME } from "../../scripts/serve.mjs";

const WIDGET_DIR = fileURLToPath(new URL("../../dist/widget/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const AXE_SOURCE = readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
const CALCULATORS = { simpleClv, profitClv, retentionClv, cac, clvCacRatio };

/** A static server: `files(path)` returns [body, headers] or null. */
function serve(files) {
  const server = http.createServer((req, res) => {
    const found = files(new URL(req.url, "http://x").pathname);
    if (!found) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, found[1]).end(found[0]);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const originOf = (server) => `http://127.0.0.1:${server.address().port}`;

let widgetServer; // the widget's files, with CORS, as a CDN would serve them
let hostServer; // the embedding site: pages registered in `pages`
let widget;
let host;
const pages = new Map(); // path -> { html, csp }
let browser;

before(async () => {
  assert.ok(existsSync(join(WIDGET_DIR, "clv-widget.js")), "dist/widget is built (npm run build)");
  widgetServer = await serve((path) => {
    const name = path.replace(/^\/static\/clvkit\//, "");
    if (name === path || name.includes("/") || !existsSync(join(WIDGET_DIR, name))) return null;
    return [readFileSync(join(WIDGET_DIR, name)), { "Content-Type": MIME[extname(name)], "Access-Control-Allow-Origin": "*" }];
  });
  widget = `${originOf(widgetServer)}/static/clvkit/clv-widget.js`;
  hostServer = await serve((path) => {
    const page = pages.get(path);
    if (!page) return null;
    return [page.html, { "Content-Type": "text/html; charset=utf-8", ...(page.csp ? { "Content-Security-Policy": page.csp } : {}) }];
  });
  host = originOf(hostServer);
  assert.notEqual(new URL(widget).origin, host);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  for (const s of [widgetServer, hostServer]) if (s) await new Promise((r) => s.close(r));
});

const marketing = (body, head = "") =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pricing | Example Shop</title><link rel="icon" href="data:,">${head}</head>` +
  `<body><main><h1>What is a customer worth?</h1><p>Try our calculator.</p>${body}</main></body></html>`;

/** Opens `html` on the host origin; records requests, console errors and widget events. */
async function open(html, { csp, colorScheme = "light", locale = "en-US" } = {}) {
  const path = `/p${pages.size}.html`;
  pages.set(path, { html, csp });
  const context = await browser.newContext({ locale, colorScheme, viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.addInitScript(() => {
    window.__events = [];
    for (const type of ["clv-change", "clv-error"]) {
      document.addEventListener(type, (e) => {
        const { error, ...detail } = e.detail;
        window.__events.push({ type, id: e.target.id, detail: JSON.parse(JSON.stringify(detail)) });
      });
    }
  });
  await page.goto(host + path);
  return { page, requests, errors, close: () => context.close() };
}

const inner = (page, id, selector) => page.locator(`#${id}`).locator(selector);
const headline = (page, id) => inner(page, id, "output [part=value]");
/** Text with Intl's no-break spaces as plain spaces. */
const shown = async (locator) => (await locator.textContent()).replace(/[\u00a0\u202f]/g, " ");
const lastEvent = (page, id, type = "clv-change") =>
  page.evaluate(([id, type]) => window.__events.filter((e) => e.id === id && e.type === type).at(-1)?.detail ?? null, [id, type]);
async function eventually(fn, what, ms = 5000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}
const ready = (page, id) => eventually(() => lastEvent(page, id), `clv-change from #${id}`);

/** The detail's results must be exactly what the package's calculators return for its inputs. */
function assertMatchesNode(detail) {
  for (const [kind, input] of Object.entries(detail.inputs)) {
    assert.deepEqual(detail.results[kind], CALCULATORS[kind](input), kind);
  }
}

describe("<clv-calculator> embedded from another origin", { timeout: 240_000 }, () => {
  test("simple mode: one script tag, typed inputs, shown figures and clv-change match the calculators", async () => {
    const { page, requests, errors, close } = await open(
      marketing(`<clv-calculator id="w" mode="simple" currency="EUR" locale="en-IE"></clv-calculator>`, `<script type="module" src="${widget}"></script>`),
    );
    let d = await ready(page, "w");
    assert.equal(d.mode, "simple");
    assert.equal(d.currency, "EUR");
    assert.deepEqual(d.inputs, { simpleClv: { averageOrderValue: "75", purchaseFrequency: "3", lifespanYears: "4", decimals: 2 } });
    assert.equal(d.results.simpleClv.clv, "900.00");
    assertMatchesNode(d);
    assert.equal(await headline(page, "w").textContent(), "€900.00");
    assert.equal(await inner(page, "w", "output").getAttribute("aria-live"), "polite");

    const aov = page.getByRole("textbox", { name: "Average order value (EUR)" });
    await aov.fill("1,234.56");
    d = await eventually(async () => ((await lastEvent(page, "w")).inputs.simpleClv.averageOrderValue === "1,234.56" ? lastEvent(page, "w") : null), "new input");
    assertMatchesNode(d);
    assert.equal(d.results.simpleClv.clv, "14814.72");
    assert.equal(await headline(page, "w").textContent(), "€14,814.72");
    assert.equal(await inner(page, "w", '[data-key="annualValue"]').textContent(), "€3,703.68");

    await page.getByRole("textbox", { name: "Purchases per year" }).fill("0.1");
    await page.getByRole("textbox", { name: "Customer lifespan (years)" }).fill("0.3");
    d = await lastEvent(page, "w");
    assertMatchesNode(d); // 1234.56 × 0.1 × 0.3, exact: 37.0368 → 37.04
    assert.equal(d.results.simpleClv.clv, "37.04");
    assert.equal(await headline(page, "w").textContent(), "€37.04");

    const onlyWidgetFiles = requests.filter((u) => !u.startsWith(host + "/"));
    assert.deepEqual(
      [...new Set(onlyWidgetFiles)].sort(),
      [widget, widget.replace("clv-widget.js", "clv-widget_bg.wasm")].sort(),
      "no request besides the page and the widget's own files",
    );
    assert.deepEqual(errors, []);
    await close();
  });

  test("every mode matches the calculators; errors go next to their field, then recover", async () => {
    const { page, errors, close } = await open(
      marketing(
        `<clv-calculator id="p" mode="profit" currency="USD"></clv-calculator>
         <clv-calculator id="r" mode="retention" currency="USD" horizon-periods="12"></clv-calculator>
         <clv-calculator id="c" mode="cac" currency="JPY" spend="1000000" new-customers="3"></clv-calculator>`,
        `<script type="module" src="${widget}"></script>`,
      ),
    );
    const p = await ready(page, "p");
    assertMatchesNode(p);
    assert.equal(p.results.profitClv.netClv, "220.00");
    assert.equal(await headline(page, "p").textContent(), "$220.00");
    const r = await ready(page, "r");
    assertMatchesNode(r);
    assert.equal(r.results.retentionClv.clvFirstPaymentNow, "366.67");
    assert.equal(r.results.retentionClv.horizon.periods, 12);
    assert.equal(await inner(page, "r", '[data-key="clv"]').textContent(), `$${r.results.retentionClv.horizon.clv}`);
    const c = await ready(page, "c");
    assertMatchesNode(c);
    // JPY has no minor unit: CAC rounded to 0 places for display, the ratio from CAC to 10 places.
    assert.equal(c.inputs.cac.decimals, 0);
    assert.equal(c.results.cac.blended.cac, "333333");
    assert.equal(c.inputs.clvCacRatio.cac, cac({ spend: "1000000", newCustomers: "3", decimals: 10 }).blended.cac);
    assert.equal(c.results.clvCacRatio.ratio, clvCacRatio({ clv: "300", cac: "333333.3333333333", monthlyRevenuePerCustomer: "25", grossMarginPercent: "40", decimals: 0 }).ratio);
    assert.equal(await headline(page, "c").textContent(), "¥333,333");
    assert.match(await inner(page, "c", '[data-key="ratio"]').textContent(), /^0 : 1 \(losing money\)$/);

    // A bad value: message next to the field, aria-invalid and aria-describedby, clv-error with the field.
    const margin = inner(page, "p", 'input[name="grossMarginPercent"]');
    await margin.fill("140");
    const err = await eventually(() => lastEvent(page, "p", "clv-error"), "clv-error");
    assert.equal(err.code, "OUT_OF_RANGE");
    assert.equal(err.field, "grossMarginPercent");
    assert.equal(await margin.getAttribute("aria-invalid"), "true");
    const describedBy = await margin.getAttribute("aria-describedby");
    const message = inner(page, "p", `#${describedBy}`);
    assert.ok(await message.isVisible());
    assert.equal(await message.textContent(), profitError({ grossMarginPercent: "140" }).message);
    assert.equal(await page.evaluate(() => document.getElementById("p").results), null);
    await margin.fill("40");
    await eventually(async () => (await margin.getAttribute("aria-invalid")) === null, "error cleared");
    assert.equal(await message.isVisible(), false);
    assert.equal(await headline(page, "p").textContent(), "$220.00");

    // A required field left empty, and a CAC of zero (reported by the ratio on `cac`, shown at spend).
    await inner(page, "c", 'input[name="newCustomers"]').fill("");
    assert.equal((await lastEvent(page, "c", "clv-error")).code, "MISSING_FIELD");
    assert.equal(await inner(page, "c", 'input[name="newCustomers"]').getAttribute("aria-invalid"), "true");
    await inner(page, "c", 'input[name="newCustomers"]').fill("3");
    await inner(page, "c", 'input[name="spend"]').fill("0");
    const zero = await lastEvent(page, "c", "clv-error");
    assert.deepEqual([zero.code, zero.input], ["ZERO_CAC", "spend"]);
    assert.equal(await inner(page, "c", 'input[name="spend"]').getAttribute("aria-invalid"), "true");
    assert.deepEqual(errors, []);
    await close();
  });

  test("attributes and properties: defaults, fields, locale formatting and input normalisation", async () => {
    const { page, close } = await open(
      marketing(
        `<clv-calculator id="w" mode="simple" currency="EUR" locale="de-DE" fields="averageOrderValue annualChurnRate" annual-churn-rate="0.5"></clv-calculator>`,
        `<script type="module" src="${widget}"></script>`,
      ),
    );
    let d = await ready(page, "w");
    // annualChurnRate replaces lifespanYears; purchaseFrequency is hidden but keeps its default.
    assert.deepEqual(d.inputs.simpleClv, { averageOrderValue: "75", purchaseFrequency: "3", annualChurnRate: "0.5", decimals: 2 });
    assert.equal(await inner(page, "w", "input:visible").count(), 2);
    assert.equal(await shown(headline(page, "w")), "450,00 €");
    // A German user types 1.234,5: the calculator gets 1,234.5.
    await inner(page, "w", 'input[name="averageOrderValue"]').fill("1.234,5");
    d = await lastEvent(page, "w");
    assert.equal(d.inputs.simpleClv.averageOrderValue, "1,234.5");
    assertMatchesNode(d);
    assert.equal(await shown(headline(page, "w")), "7.407,00 €");
    // Properties mirror attributes.
    await page.evaluate(() => {
      const el = document.getElementById("w");
      el.currency = "USD";
      el.locale = "en-US";
      el.averageOrderValue = "80";
    });
    assert.equal(await page.locator("#w").getAttribute("average-order-value"), "80");
    d = await eventually(async () => ((await lastEvent(page, "w")).inputs.simpleClv.averageOrderValue === "80" ? lastEvent(page, "w") : null), "property change");
    assertMatchesNode(d);
    assert.equal(await headline(page, "w").textContent(), "$480.00");
    assert.equal(await page.evaluate(() => document.getElementById("w").mode), "simple");
    await page.evaluate(() => (document.getElementById("w").mode = "profit"));
    d = await eventually(async () => ((await lastEvent(page, "w")).mode === "profit" ? lastEvent(page, "w") : null), "mode change");
    assertMatchesNode(d);
    await close();
  });

  test("two widgets, the script twice (same URL and another URL): one definition, one wasm fetch, lazy", async () => {
    const { page, requests, errors, close } = await open(
      marketing(
        `<clv-calculator id="a" mode="simple"></clv-calculator><clv-calculator id="b" mode="simple" average-order-value="100"></clv-calculator>`,
        `<script type="module" src="${widget}"></script><script type="module" src="${widget}"></script><script type="module" src="${widget}?again"></script>`,
      ),
    );
    const a = await ready(page, "a");
    const b = await ready(page, "b");
    assertMatchesNode(a);
    assertMatchesNode(b);
    assert.equal(a.results.simpleClv.clv, "900.00");
    assert.equal(b.results.simpleClv.clv, "1200.00");
    await inner(page, "a", 'input[name="averageOrderValue"]').fill("50");
    assert.equal((await lastEvent(page, "a")).results.simpleClv.clv, "600.00");
    assert.equal((await lastEvent(page, "b")).results.simpleClv.clv, "1200.00", "the other widget is untouched");
    assert.equal(requests.filter((u) => u.endsWith(".wasm")).length, 1, "the wasm is fetched once");
    assert.deepEqual(errors, []);
    await close();

    // Lazy: a page with the script but no element fetches no wasm until an element appears.
    const lazy = await open(marketing("", `<script type="module" src="${widget}"></script>`));
    await lazy.page.waitForFunction(() => customElements.get("clv-calculator"));
    await lazy.page.waitForTimeout(200);
    assert.equal(lazy.requests.filter((u) => u.endsWith(".wasm")).length, 0);
    await lazy.page.evaluate(() => document.body.append(Object.assign(document.createElement("clv-calculator"), { id: "late" })));
    assert.equal((await ready(lazy.page, "late")).results.simpleClv.clv, "900.00");
    await lazy.close();
  });

  test("keyboard only: Tab reaches every field, focus is visible, typing recomputes", async () => {
    const { page, close } = await open(
      marketing(`<a href="#top">Skip</a><clv-calculator id="w" mode="profit"></clv-calculator>`, `<script type="module" src="${widget}"></script>`),
    );
    await ready(page, "w");
    const visited = [];
    await page.keyboard.press("Tab"); // the link
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const el = document.activeElement?.shadowRoot?.activeElement;
        return el && { name: el.name, outline: getComputedStyle(el).outlineStyle, width: getComputedStyle(el).outlineWidth };
      });
      assert.ok(focused, `Tab ${i + 1} lands in the widget`);
      assert.notEqual(focused.outline, "none", "focus is visible");
      visited.push(focused.name);
    }
    assert.deepEqual(visited, ["averageOrderValue", "purchaseFrequency", "lifespanYears", "grossMarginPercent", "yearlyServiceCost", "cac"]);
    await page.keyboard.press("Shift+Tab"); // back to the yearly cost to serve
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("20");
    const d = await lastEvent(page, "w");
    assert.equal(d.inputs.profitClv.yearlyServiceCost, "20");
    assertMatchesNode(d);
    await close();
  });

  test("axe: no serious or critical violations, light and dark, with an error showing", async () => {
    for (const colorScheme of ["light", "dark"]) {
      const { page, close } = await open(
        marketing(
          `<clv-calculator id="s" mode="simple"></clv-calculator><clv-calculator id="c" mode="cac" theme="${colorScheme}"></clv-calculator>`,
          `<script type="module" src="${widget}"></script>`,
        ),
        { colorScheme },
      );
      await ready(page, "s");
      await ready(page, "c");
      await inner(page, "s", 'input[name="lifespanYears"]').fill("abc");
      await page.evaluate(AXE_SOURCE);
      const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], colorScheme);
      await close();
    }
  });

  test("a host whose CSP forbids WebAssembly: the script reports LOAD_FAILED, the iframe page works", async () => {
    const widgetOrigin = new URL(widget).origin;
    const csp = `default-src 'none'; script-src ${widgetOrigin}; connect-src ${widgetOrigin}; frame-src ${widgetOrigin}; style-src 'self'`;
    const frameUrl = widget.replace("clv-widget.js", "frame.html") + "?mode=cac&currency=EUR&locale=en-IE&spend=5000&newCustomers=50";
    const { page, errors, close } = await open(
      marketing(`<clv-calculator id="w"></clv-calculator><iframe id="f" title="CAC calculator" src="${frameUrl}" width="480" height="640"></iframe>`, `<script type="module" src="${widget}"></script>`),
      { csp },
    );
    const failed = await eventually(() => lastEvent(page, "w", "clv-error"), "LOAD_FAILED");
    assert.equal(failed.code, "LOAD_FAILED");
    assert.match(await headline(page, "w").textContent(), /could not load/);
    const frame = page.frameLocator("#f");
    await eventually(async () => (await frame.locator("clv-calculator output [part=value]").textContent().catch(() => "")) === "€100.00", "the iframe's CAC");
    assert.equal(await frame.getByRole("textbox", { name: "Marketing spend (EUR)" }).inputValue(), "5000");
    assert.ok(errors.every((e) => /WebAssembly|wasm|Content Security Policy/i.test(e)), `only the CSP refusal: ${errors}`);
    await close();
  });
});

/** The calculators' own error for the profit defaults with `change` applied. */
function profitError(change) {
  try {
    profitClv({ averageOrderValue: "75", purchaseFrequency: "3", lifespanYears: "4", grossMarginPercent: "40", yearlyServiceCost: "10", cac: "100", decimals: 2, ...change });
  } catch (e) {
    return e;
  }
  assert.fail("expected an error");
}

describe("www/embed.html on the demo server", { timeout: 120_000 }, () => {
  test("every mode and theme renders, the iframe page works under the demo's strict CSP, axe is clean", async () => {
    const { startServer } = await import("../../scripts/serve.mjs");
    const server = await startServer({ port: 0, host: "127.0.0.1" });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    try {
      await page.goto(`http://127.0.0.1:${server.address().port}/embed.html`);
      const widgets = page.locator("main clv-calculator");
      assert.equal(await widgets.count(), 7);
      await eventually(async () => (await widgets.locator("output [part=value]").allTextContents()).filter((t) => /\d/.test(t)).length === 7, "7 results");
      await page.locator("iframe").scrollIntoViewIfNeeded(); // it loads lazily
      const frame = page.frameLocator("iframe");
      await eventually(async () => /\$80\.00/.test(await frame.locator("output").textContent().catch(() => "")), "the iframe's result");
      // Every snippet shows the live element's own markup.
      for (const fig of await page.locator("figure.widget-demo:has(clv-calculator)").all()) {
        const flat = (t) => t.replace(/\s+/g, " ");
        const tag = flat(await fig.locator("clv-calculator").evaluate((el) => el.outerHTML));
        assert.ok(flat(await fig.locator("pre code").textContent()).includes(tag), tag);
      }
      await page.evaluate(AXE_SOURCE);
      const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      assert.deepEqual(results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id), []);
      await page.screenshot({ path: fileURLToPath(new URL("../e2e/artifacts/embed.png", import.meta.url)), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await new Promise((r) => server.close(r));
    }
  });
});
