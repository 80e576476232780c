// The widget build's bump allocator starts over once nothing is live, so thousands of
// calculations (results and errors) leave its linear memory where one calculation left it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";

const glue = new URL("../../target/widget-glue/clv-widget.js", import.meta.url);
const wasmFile = new URL("../../dist/widget/clv-widget_bg.wasm", import.meta.url);

test("memory stays flat over 20,000 widget calculations", { skip: !existsSync(glue) && "run scripts/build.sh first" }, async () => {
  const { initSync, calculate } = await import(glue.href);
  const wasm = initSync({ module: readFileSync(wasmFile) });
  const fields = (pairs) => pairs.flat().join("\u001f");
  const inputs = [
    ["simpleClv", fields([["averageOrderValue", "85.50"], ["purchasesPerYear", "4"], ["lifespanYears", "3"]])],
    ["simpleClv", fields([["averageOrderValue", "-1"], ["purchasesPerYear", "4"], ["lifespanYears", "3"]])],
    ["cac", fields([["spend", "1,234.50"], ["newCustomers", "37"]])],
    ["simpleClv", "x".repeat(10_000)],
  ];
  for (const [kind, f] of inputs) calculate(kind, f);
  const start = wasm.memory.buffer.byteLength;
  let errors = 0;
  for (let i = 0; i < 20_000; i++) {
    const [kind, f] = inputs[i % inputs.length];
    const out = JSON.parse(calculate(kind, f.replace("85.50", `${i}.25`)));
    if (out.error) errors++;
  }
  assert.ok(errors >= 10_000, `errors were exercised too (${errors})`);
  assert.equal(wasm.memory.buffer.byteLength, start, "the arena grew: something stayed allocated between calls");
});
