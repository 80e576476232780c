// Packaging: `npm pack`, install the tarball into a scratch project (offline), and use it the three
// ways users do: Node ESM (+ the CLI and the TypeScript types), a Vite build, and a plain HTML page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "../../scripts/serve.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = (name) => join(repo, "node_modules", ".bin", name);
const article = "{ averageOrderValue: 75, purchaseFrequency: 3, lifespanYears: 4 }";
let scratch;
let app; // the consumer project; it lives in <scratch>/site/www so the demo server can serve it as a site
let browser;

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function write(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

before(() => {
  scratch = mkdtempSync(join(tmpdir(), "clvkit-pack-"));
  const out = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", scratch], repo));
  const files = out[0].files.map((f) => f.path).sort();
  assert.ok(files.includes("dist/wasm/clvkit_bg.wasm"), "tarball has the wasm");
  assert.ok(files.includes("js/index.d.ts"), "tarball has the types");
  for (const f of ["clv-widget.js", "clv-widget_bg.wasm", "clv-widget.d.ts", "frame.html", "frame.js"]) {
    assert.ok(files.includes(`dist/widget/${f}`), `tarball has the widget's ${f}`);
  }
  assert.ok(!files.some((f) => f.startsWith("src/") || f.startsWith("tests/") || f.startsWith("target/")), `no sources in the tarball: ${files}`);
  app = join(scratch, "site", "www");
  write(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(scratch, out[0].filename)], app);
});

after(async () => {
  await browser?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function page() {
  browser ??= await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return browser.newPage();
}

/** Serves `<root>/www` (with the demo's strict CSP) on an ephemeral port, opens it, and returns #out's text. */
async function renderedResult(root) {
  const server = await startServer({ port: 0, host: "127.0.0.1", root });
  try {
    const p = await page();
    const errors = [];
    p.on("pageerror", (e) => errors.push(e.message));
    p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await p.goto(`http://127.0.0.1:${server.address().port}/`);
    await p.waitForFunction(() => document.querySelector("#out")?.textContent, null, { timeout: 15000 });
    const text = await p.textContent("#out");
    assert.deepEqual(errors, []);
    await p.close();
    return text;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const csvText = "customer,date,amount\\na,2024-01-01,10\\na,2024-02-01,20\\nb,2024-01-15,5\\n";
const browserMain = `import init, { simpleClv, ingest, ClvkitError } from "clvkit";
await init();
let code = "";
try { simpleClv({ averageOrderValue: "1,2.3", purchaseFrequency: 1, lifespanYears: 1 }); }
catch (e) { code = e instanceof ClvkitError ? e.code : "wrong class"; }
const ds = await ingest(new Blob(["${csvText}"]));
const freq = ds.customers().frequency;
ds.free();
document.querySelector("#out").textContent = simpleClv(${article}).clv + " " + code + " " + freq.constructor.name + ":" + Array.from(freq).join("|");
`;
const html = (src) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>consumer</title></head>` +
  `<body><p id="out"></p><script type="module" src="${src}"></script></body></html>`;

test("Node ESM consumer imports the package", () => {
  write(join(app, "orders.csv"), csvText.replaceAll("\\n", "\n"));
  write(join(app, "node.mjs"), `import { simpleClv, cac, ingestFile, ClvkitError } from "clvkit";
console.log(simpleClv(${article}).clv);
try { cac({ spend: 1, newCustomers: 0 }); } catch (e) { console.log(e instanceof ClvkitError, e.code, e.field); }
const ds = await ingestFile("orders.csv");
console.log(ds.report.acceptedRows, ds.customersCsv().split("\\n")[1]);
ds.free();
`);
  assert.equal(run("node", ["node.mjs"], app), "900.00\ntrue ZERO_NEW_CUSTOMERS newCustomers\n3 a,1,31,31,20,2024-01-01,2024-02-01,2,2,30.00,15.00\n");
});

test("the CLI runs from the installed package", () => {
  const out = run(join(app, "node_modules", ".bin", "clvkit"), ["calc", "simple", "--average-order-value", "75", "--purchase-frequency", "3", "--lifespan-years", "4", "--json"], app);
  assert.equal(JSON.parse(out).clv, "900.00");
});

test("TypeScript sees precise types through the exports map", () => {
  write(join(app, "typed.ts"), `import init, { simpleClv, cac, ingestFile, ClvkitError, type SimpleClvResult, type ErrorCode, type Dataset } from "clvkit";
const ds: Dataset = await ingestFile("orders.csv", { dateFormat: "dmy", returns: "drop" });
const frequency: Float64Array = ds.customers({ unit: "weeks" }).frequency;
// @ts-expect-error unit must be days, weeks or months
ds.customers({ unit: "years" });
const btyd = ds.customers({ unit: "days", columns: ["frequency", "T"] });
const T: Float64Array = btyd.T;
// @ts-expect-error a column not asked for is not in the table's type
btyd.revenue;
// @ts-expect-error columns are the table's
ds.customers({ columns: ["frequency", "spend"] });
// @ts-expect-error mapping keys are roles
await ingestFile("orders.csv", { mapping: { client: "Client" } });
ds.free();
await init();
const r: SimpleClvResult = simpleClv(${article});
const clv: string = r.clv;
const band: "losing" | "weak" | "healthy" | "underInvesting" = cac({ spend: 1, newCustomers: 1 }).kind === "cac" ? "weak" : "healthy";
const code: ErrorCode = new ClvkitError("OVERFLOW", "x").code;
// @ts-expect-error money must be a string or a number
simpleClv({ averageOrderValue: true, purchaseFrequency: 3, lifespanYears: 4 });
// @ts-expect-error averageOrderValue is required
simpleClv({ purchaseFrequency: 3, lifespanYears: 4 });
// @ts-expect-error results are typed, not any
const n: number = r.clv;
// @ts-expect-error unknown error codes are rejected
const bad: ErrorCode = "NOPE";
export { clv, band, code, n, bad, frequency, T };
`);
  write(join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2022", "dom"], types: [] },
    files: ["typed.ts"],
  }));
  try {
    run(bin("tsc"), ["-p", "tsconfig.json"], app);
  } catch (e) {
    assert.fail(`tsc: ${e.stdout}${e.stderr}`);
  }
});

test("Vite build of an app that imports the package", async () => {
  write(join(app, "vite", "index.html"), html("./main.js"));
  write(join(app, "vite", "main.js"), browserMain);
  const dist = join(scratch, "vite-out", "www");
  run(bin("vite"), ["build", "--logLevel", "error", "--outDir", dist, join(app, "vite")], app);
  assert.ok(readdirSync(join(dist, "assets")).some((f) => f.endsWith(".wasm")), "wasm emitted as an asset");
  assert.equal(await renderedResult(join(scratch, "vite-out")), "900.00 INVALID_NUMBER Float64Array:1|0");
});

test("plain HTML page imports the ES module without a bundler", async () => {
  write(join(app, "index.html"), html("./main.js"));
  write(join(app, "main.js"), browserMain.replace('from "clvkit"', 'from "./node_modules/clvkit/js/index.js"'));
  assert.ok(readFileSync(join(app, "node_modules", "clvkit", "js", "index.js"), "utf8").includes("init"));
  assert.equal(await renderedResult(join(scratch, "site")), "900.00 INVALID_NUMBER Float64Array:1|0");
});

test("clvkit/widget resolves from the tarball, typed, and renders in a plain page", async () => {
  write(join(app, "resolve.mjs"), `console.log(import.meta.resolve("clvkit/widget"));`);
  const resolved = run("node", ["resolve.mjs"], app).trim();
  assert.ok(resolved.endsWith("/node_modules/clvkit/dist/widget/clv-widget.js"), resolved);
  write(join(app, "widget.ts"), `import "clvkit/widget";
const el = document.createElement("clv-calculator");
el.mode = "cac";
el.addEventListener("clv-change", (e) => { const clv: string | undefined = e.detail.results.simpleClv?.clv; console.log(clv); });
// @ts-expect-error modes are simple, profit, retention and cac
el.mode = "ratio";
`);
  write(join(app, "tsconfig.widget.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2022", "dom"], types: [] },
    files: ["widget.ts"],
  }));
  try {
    run(bin("tsc"), ["-p", "tsconfig.widget.json"], app);
  } catch (e) {
    assert.fail(`tsc: ${e.stdout}${e.stderr}`);
  }
  write(join(app, "widget.html"), `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>widget</title>` +
    `<script type="module" src="./node_modules/clvkit/dist/widget/clv-widget.js"></script></head><body><clv-calculator mode="profit"></clv-calculator></body></html>`);
  const server = await startServer({ port: 0, host: "127.0.0.1", root: join(scratch, "site") });
  try {
    const p = await page();
    await p.goto(`http://127.0.0.1:${server.address().port}/widget.html`);
    await p.waitForFunction(() => /\d/.test(document.querySelector("clv-calculator")?.shadowRoot?.querySelector("output")?.textContent ?? ""), null, { timeout: 15000 });
    assert.equal(await p.locator("clv-calculator output [part=value]").textContent(), "$220.00");
    await p.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
