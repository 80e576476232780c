// Reports the raw, gzip and brotli size of every shipped file of the built package
// (`npm run size`; `--markdown` prints the README table, `--quiet` one summary line).
// Also the embeddable widget (dist/widget), whose JS + wasm must stay within WIDGET_BUDGET
// gzipped (tests/widget/size.test.mjs imports this module and checks it).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join, dirname, resolve } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** What a page embedding the widget downloads: the bundled element and the calculators' wasm. */
export const WIDGET_FILES = ["dist/widget/clv-widget.js", "dist/widget/clv-widget_bg.wasm"];
/** 60 KiB gzipped (gzip -9), for WIDGET_FILES together. */
export const WIDGET_BUDGET = 60 * 1024;

export function measure(path) {
  const bytes = readFileSync(join(root, path));
  return {
    path,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) report();

function report() {
const files = [
  "dist/wasm/clvkit_bg.wasm",
  "dist/wasm/clvkit.js",
  ...readdirSync(join(root, "js")).filter((f) => f.endsWith(".js")).sort().map((f) => `js/${f}`),
  ...WIDGET_FILES,
  "dist/widget/frame.js",
];
const missing = files.filter((f) => !existsSync(join(root, f)));
if (missing.length) {
  console.error(`size: missing ${missing.join(", ")} (run npm run build first)`);
  process.exit(1);
}
const rows = files.map(measure);
const sum = (key, pick) => rows.filter(pick).reduce((n, r) => n + r[key], 0);
const isWidget = (r) => r.path.startsWith("dist/widget/");
const isWasm = (r) => r.path.endsWith(".wasm") && !isWidget(r);
const isJs = (r) => r.path.endsWith(".js") && !isWidget(r) && !/js\/(cli|node|part-worker)\.js$/.test(r.path);
const isEmbed = (r) => WIDGET_FILES.includes(r.path);
const total = (path, pick) => ({ path, raw: sum("raw", pick), gzip: sum("gzip", pick), brotli: sum("brotli", pick) });
const totals = [
  total("wasm", isWasm),
  total("JS (glue + wrapper, browser; no CLI)", isJs),
  total(`widget: JS + wasm (budget ${WIDGET_BUDGET / 1024} KiB gzip)`, isEmbed),
];
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

if (process.argv.includes("--quiet")) {
  console.log(`size: wasm ${kb(totals[0].raw)} (${kb(totals[0].gzip)} gzip), JS ${kb(totals[1].raw)} (${kb(totals[1].gzip)} gzip), widget ${kb(totals[2].raw)} (${kb(totals[2].gzip)} gzip)`);
} else if (process.argv.includes("--markdown")) {
  console.log("| file | raw | gzip -9 | brotli -11 |\n| --- | ---: | ---: | ---: |");
  for (const r of [...rows, ...totals]) console.log(`| ${r.path} | ${kb(r.raw)} | ${kb(r.gzip)} | ${kb(r.brotli)} |`);
} else {
  console.table([...rows, ...totals].map((r) => ({ file: r.path, raw: r.raw, gzip: r.gzip, brotli: r.brotli })));
}
}
