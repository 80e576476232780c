// README examples run as written: every ```js block that imports "clvkit" is run against the built
// package, and each `console.log(...); // → expected` line must print exactly `expected`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const nodeEntry = new URL("../../js/node.js", import.meta.url).href;
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes('from "clvkit"'));

test("README has runnable examples", () => assert.ok(blocks.length >= 6, `found ${blocks.length}`));

blocks.forEach((block, i) => {
  const expected = [...block.matchAll(/console\.log\(.*\);\s*\/\/ → (.*)$/gm)].map((m) => m[1].trim());
  test(`README example ${i + 1}: ${block.split("\n")[0]}`, () => {
    assert.ok(expected.length > 0, "the example shows its output");
    const code = block.replaceAll('from "clvkit"', `from ${JSON.stringify(nodeEntry)}`);
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
    assert.deepEqual(out.trim().split("\n"), expected);
  });
});
