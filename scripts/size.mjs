// Reports the raw, gzip and brotli size of every shipped file of the built package
// (`npm run size`; `--markdown` prints the README table, `--quiet` one summary line).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { fileURLToPath } from "node:url";
import { join, dirname } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = [
  "dist/wasm/clvkit_bg.wasm",
  "dist/wasm/clvkit.js",
  ...readdirSync(join(root, "js")).filter((f) => f.endsWith(".js")).sort().map((f) => `js/${f}`),
];

function measure(path) {
  const bytes = readFileSync(join(root, path));
  return {
    path,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const missing = files.filter((f) => !existsSync(join(root, f)));
if (missing.length) {
  console.error(`size: missing ${missing.join(", ")} (run npm run build first)`);
  process.exit(1);
}
const rows = files.map(measure);
const sum = (key, pick) => rows.filter(pick).reduce((n, r) => n + r[key], 0);
const isJs = (r) => r.path.endsWith(".js") && !/js\/(cli|node)\.js$/.test(r.path);
const totals = [
  { path: "wasm", raw: sum("raw", (r) => r.path.endsWith(".wasm")), gzip: sum("gzip", (r) => r.path.endsWith(".wasm")), brotli: sum("brotli", (r) => r.path.endsWith(".wasm")) },
  { path: "JS (glue + wrapper, browser; no CLI)", raw: sum("raw", isJs), gzip: sum("gzip", isJs), brotli: sum("brotli", isJs) },
];
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

if (process.argv.includes("--quiet")) {
  console.log(`size: wasm ${kb(totals[0].raw)} (${kb(totals[0].gzip)} gzip), JS ${kb(totals[1].raw)} (${kb(totals[1].gzip)} gzip)`);
} else if (process.argv.includes("--markdown")) {
  console.log("| file | raw | gzip -9 | brotli -11 |\n| --- | ---: | ---: | ---: |");
  for (const r of [...rows, ...totals]) console.log(`| ${r.path} | ${kb(r.raw)} | ${kb(r.gzip)} | ${kb(r.brotli)} |`);
} else {
  console.table([...rows, ...totals].map((r) => ({ file: r.path, raw: r.raw, gzip: r.gzip, brotli: r.brotli })));
}
