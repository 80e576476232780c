// Suite "sizes" (issue 8): what each build of clvkit weighs against the published packages of its
// peers, as a page downloads them (raw, gzip -9, brotli -11) and, for the Python peers, as installed.
// No timing and no target: the figures are facts of the files, measured from node_modules and bench/.venv.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { measure, WIDGET_BUDGET, WIDGET_FILES } from "../../scripts/size.mjs";
import { fmt, npmVersion, python, REPO, spawnJson } from "../lib.mjs";

export const id = "sizes";
export const title = "Sizes against the peers' published packages";

const BROWSER_JS = ["dist/wasm/clvkit.js", ...["core.js", "dataset.js", "errors.js", "index.js", "ingest.js"].map((f) => `js/${f}`)];

/** The npm files a browser page loads for each product (one bundle choice each, named). */
function npmBundles() {
  const duck = "node_modules/@duckdb/duckdb-wasm/dist";
  const bundles = [
    {
      name: `clvkit ${JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version} — analytics (wasm + browser JS)`,
      note: "ingest, summaries, models, cross-sell, calculators",
      files: ["dist/wasm/clvkit_bg.wasm", ...BROWSER_JS],
    },
    {
      name: "clvkit — calculator widget (`clvkit/widget`)",
      note: `calculators only; budget ${WIDGET_BUDGET / 1024} KiB gzip`,
      files: WIDGET_FILES,
    },
    {
      name: `@duckdb/duckdb-wasm ${npmVersion("@duckdb/duckdb-wasm")} — EH bundle`,
      note: "what a browser loads for the DuckDB-WASM ingest case (wasm + worker + API module)",
      files: [`${duck}/duckdb-eh.wasm`, `${duck}/duckdb-browser-eh.worker.js`, `${duck}/duckdb-browser.mjs`],
    },
    {
      name: `papaparse ${npmVersion("papaparse")}`,
      note: "CSV parsing only (papaparse.min.js)",
      files: ["node_modules/papaparse/papaparse.min.js"],
    },
  ];
  const fp = "node_modules/node-fpgrowth";
  if (existsSync(join(REPO, fp, "package.json"))) {
    const pkg = JSON.parse(readFileSync(join(REPO, fp, "package.json"), "utf8"));
    const main = pkg.main ?? "index.js";
    const dir = join(fp, main.replace(/[^/]*$/, ""));
    // The package's built JS files next to its entry (its whole runtime; it has no dependencies).
    const files = readdirSync(join(REPO, dir))
      .filter((f) => f.endsWith(".js"))
      .map((f) => join(dir, f));
    bundles.push({ name: `node-fpgrowth ${pkg.version}`, note: "frequent itemsets only (no rules), every .js next to its entry", files, deps: Object.keys(pkg.dependencies ?? {}) });
  }
  return bundles;
}

/** Raw, gzip -1 and brotli -1 sizes: for smoke runs, which check the suite, not the figures. */
function quickMeasure(path) {
  const bytes = readFileSync(join(REPO, path));
  return { path, raw: bytes.length, gzip: gzipSync(bytes, { level: 1 }).length, brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }).length };
}

export async function run({ smoke }) {
  const failures = [];
  const rows = [];
  for (const b of npmBundles()) {
    const missing = b.files.filter((f) => !existsSync(join(REPO, f)));
    if (missing.length) {
      failures.push(`sizes: missing ${missing.join(", ")} (run npm run build / npm ci)`);
      continue;
    }
    // Smoke: the peers' big files compressed fast (brotli -11 of DuckDB's 34 MB takes minutes).
    const m = b.files.map((f) => (smoke && f.startsWith("node_modules/") ? quickMeasure(f) : measure(f)));
    const sum = (k) => m.reduce((n, r) => n + r[k], 0);
    rows.push({ ...b, raw: sum("raw"), gzip: sum("gzip"), brotli: sum("brotli") });
  }
  const kib = (n) => `${fmt.kib(n)} KiB`;
  const npmTable = [
    "| package (what a page loads) | files | raw | gzip -9 | brotli -11 |",
    "| --- | --- | ---: | ---: | ---: |",
    ...rows.map((r) => `| ${r.name}: ${r.note}${r.deps?.length ? `; dependencies: ${r.deps.join(", ")}` : ""} | ${r.files.map((f) => `\`${f.replace(/^node_modules\//, "")}\``).join(", ")} | ${kib(r.raw)} | ${kib(r.gzip)} | ${kib(r.brotli)} |`),
  ].join("\n");

  // The Python peers as installed (with every dependency they pull in): what a notebook user carries.
  const peers = ["lifetimes", "mlxtend", "efficient-apriori", "duckdb"];
  const footprint = spawnJson(python(), [fileURLToPath(new URL("../cases/python_footprint.py", import.meta.url)), ...peers]);
  for (const p of peers) if (!(footprint[p]?.bytes > 0)) failures.push(`sizes: no installed size for Python package ${p}`);
  const pyTable = [
    "| Python peer | installed, with its dependencies | distributions |",
    "| --- | ---: | --- |",
    ...peers.map((p) => {
      const f = footprint[p];
      return `| ${p} ${f.version} | ${fmt.mb(f.bytes)} MB (${fmt.int(f.files)} files) | ${f.distributions.join(", ")} |`;
    }),
  ].join("\n");
  const clvkit = rows[0];
  const duck = rows.find((r) => r.name.startsWith("@duckdb"));
  const widget = rows[1];
  if (widget && widget.gzip > WIDGET_BUDGET) failures.push(`sizes: widget ${kib(widget.gzip)} gzip is over its ${WIDGET_BUDGET / 1024} KiB budget`);
  const markdown = `What a page downloads for each product, from the built package (dist/, js/) and the peers'
published npm packages in node_modules (one bundle of each, the one the ingest benchmark uses),
compressed as a web server would (gzip level 9, brotli quality 11). The Python peers do not run in a
browser at all; their installed size with every dependency they pull in (bench/.venv, pinned in
bench/requirements.txt) is what a user of a notebook carries instead.

${npmTable}

${clvkit && duck ? `- clvkit's full analytics build is ${fmt.ratio(duck.gzip / clvkit.gzip)}× smaller than DuckDB-WASM's EH bundle gzipped (${kib(clvkit.gzip)} against ${kib(duck.gzip)}); the widget is ${kib(widget.gzip)} gzipped.` : ""}
${smoke ? "- (smoke run)" : ""}

${pyTable}`;
  return { markdown, failures, targets: [] };
}
