// The browser entry before and after init, run under Node (its own process: node --test isolates files).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import init, { simpleClv, isReady, ClvkitError } from "../../js/index.js";

test("calculators fail clearly before init, then work after it", async () => {
  assert.equal(isReady(), false);
  assert.throws(
    () => simpleClv({ averageOrderValue: 75, purchaseFrequency: 3, lifespanYears: 4 }),
    (e) => e instanceof ClvkitError && e.code === "NOT_INITIALIZED" && /await init\(\)/.test(e.message),
  );
  const bytes = readFileSync(new URL("../../dist/wasm/clvkit_bg.wasm", import.meta.url));
  const first = init(bytes);
  assert.equal(init(bytes), first, "init is idempotent: one load for every caller");
  await first;
  assert.equal(isReady(), true);
  assert.equal(simpleClv({ averageOrderValue: 75, purchaseFrequency: 3, lifespanYears: 4 }).clv, "900.00");
});
