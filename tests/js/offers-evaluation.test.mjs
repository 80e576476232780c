// The README's evaluation table of next-best offers is recomputed from the data it names
// (bench/offers-evaluation.mjs: generated transactions, evaluateOffers) and must be what the
// README shows, so it cannot drift from the code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluationBlock, readmeBlock } from "../../bench/offers-evaluation.mjs";

test("the README's offers evaluation is what bench/offers-evaluation.mjs computes now", async () => {
  const shown = readmeBlock();
  assert.ok(shown, "README.md has the offers-evaluation markers");
  const computed = await evaluationBlock();
  assert.equal(shown, computed, "run `node bench/offers-evaluation.mjs --write` and review the change");
  // What the README's prose says of the table: the floor improves the expected-value ranking, and
  // popularity is the model to beat on this data.
  const rows = computed.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| model") && !l.startsWith("| ---")).map((l) => l.split("|").slice(2, -1).map(Number));
  assert.equal(rows.length, 5);
  const [floored, unfloored, byProbability, popularity] = rows;
  assert.ok(floored[0] > unfloored[0] && floored[3] > unfloored[3], "the floor raises precision and NDCG");
  assert.ok(popularity[0] > byProbability[0] && byProbability[0] > floored[0]);
  assert.ok(floored[4] > 10 * popularity[4], "next-best offers cover far more of the catalogue");
});
