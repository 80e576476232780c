// The widget's size budget: what a page embedding it downloads (the bundled element and its wasm)
// must stay within WIDGET_BUDGET gzipped. Measures the build in dist/widget (npm run build).
import { test } from "node:test";
import assert from "node:assert/strict";
import { measure, WIDGET_FILES, WIDGET_BUDGET } from "../../scripts/size.mjs";

test(`widget JS + wasm within ${WIDGET_BUDGET / 1024} KiB gzipped`, () => {
  const rows = WIDGET_FILES.map(measure);
  for (const r of rows) assert.ok(r.gzip > 1000, `${r.path} is a real build (${r.gzip} bytes gzipped)`);
  const total = rows.reduce((n, r) => n + r.gzip, 0);
  const detail = rows.map((r) => `${r.path} ${r.gzip}`).join(", ");
  assert.ok(total <= WIDGET_BUDGET, `widget is ${total} bytes gzipped, over the budget of ${WIDGET_BUDGET} (${detail})`);
});

test("the widget's wasm has the calculators and none of the analytics engine", async () => {
  const bytes = (await import("node:fs")).readFileSync(new URL("../../dist/widget/clv-widget_bg.wasm", import.meta.url));
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
  assert.ok(exports.includes("calculate"), `exports: ${exports}`);
  for (const name of ["simpleClv", "ingestor_new", "datasethandle_free"]) assert.ok(!exports.some((e) => e.startsWith(name)), `${name} is not in the widget`);
});
