// The hostile-input corpus (tests/fixtures/hostile): every file from a stranger ends in a clear
// typed error or the right result through the wasm package, in one chunk and in 7-byte chunks
// alike, with accepted + rejected = total rows; and the wasm instance keeps answering afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClvkitError, ingest, ingestBaskets, ingestSummary, simpleClv } from "../../js/node.js";
import { CASES, GENERATED_CASES } from "../fixtures/hostile/cases.mjs";
import { FILES, generated } from "../fixtures/hostile/make.mjs";

const dir = new URL("../fixtures/hostile/", import.meta.url);
const APIS = { ingest, ingestSummary, ingestBaskets };
const DANGEROUS = /^[=+\-@\t\r]/;

async function* chunks(bytes, size) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Runs a case; returns { dataset } or { error }. */
async function open(c, source) {
  try {
    return { dataset: await APIS[c.api ?? "ingest"](source, c.options ?? {}) };
  } catch (error) {
    return { error };
  }
}

function checkError(c, error) {
  assert.ok(error instanceof ClvkitError, `${c.file}: expected a ClvkitError, got ${error?.stack ?? error}`);
  assert.equal(error.code, c.error.code, `${c.file}: ${error.message}`);
  if (c.error.field) assert.equal(error.field, c.error.field, c.file);
  if (c.error.message) assert.ok(error.message.includes(c.error.message), `${c.file}: ${error.message}`);
}

function checkDataset(c, d) {
  const r = d.report;
  assert.equal(r.totalRows, r.acceptedRows + r.rejectedRows, `${c.file}: accepted + rejected = total`);
  if (c.rows) assert.deepEqual([r.totalRows, r.acceptedRows, r.rejectedRows], c.rows, `${c.file}: rows ${JSON.stringify(r.errorExamples)}`);
  if (c.examples) assert.deepEqual(r.errorExamples.map((e) => [e.line, e.column, e.code]), c.examples, `${c.file}: ${JSON.stringify(r.errorExamples)}`);
  if (c.exampleMessage) assert.ok(r.errorExamples.every((e) => e.message.includes(c.exampleMessage)), `${c.file}: ${JSON.stringify(r.errorExamples)}`);
  for (const e of r.errorExamples ?? []) assert.ok(e.message.startsWith(`line ${e.line}`), `${c.file}: message names its line: ${e.message}`);
  if (c.delimiter) assert.equal(r.delimiter, c.delimiter, c.file);
  if (c.returnRows !== undefined) assert.equal(r.returnRows, c.returnRows, c.file);
  if (c.api === undefined) assert.deepEqual((r.warnings ?? []).map((w) => w.code), c.warnings ?? [], `${c.file}: ${JSON.stringify(r.warnings)}`);
  if (c.customers || c.revenue) {
    const t = d.customers();
    if (c.customers) assert.deepEqual(t.customerId, c.customers, c.file);
    if (c.revenue) assert.deepEqual(Array.from(t.revenue), c.revenue, c.file);
    for (const x of [t.frequency, t.recency, t.T]) assert.ok(Array.from(x).every(Number.isFinite), `${c.file}: finite summary`);
  }
  if (c.csvSafe) {
    const cells = d.customersCsv().split(/\r?\n/).slice(1).filter(Boolean).map((line) => line.replace(/^"/, ""));
    for (const cell of cells) assert.ok(!DANGEROUS.test(cell), `${c.file}: a CSV cell opens with a formula character: ${cell.slice(0, 40)}`);
  }
  if (c.fit) assert.throws(() => d.fit({ model: "bgNbd" }), (e) => e instanceof ClvkitError && e.code === c.fit.code, c.file);
  if (c.rules !== undefined) assert.equal(d.rules({ minSupport: 0.01 }).rules.antecedents.length, c.rules, c.file);
  if (c.products) assert.equal(new Set(d.similarity({ topK: 1, minCoBuyers: 1 }).pairs.itemId).size, c.products, c.file);
}

/** What must not depend on chunking: the report (or the error). */
const outcome = ({ dataset, error }) => (error ? `error ${error.code}: ${error.message}` : JSON.stringify(dataset.report));

async function run(c, bytes, { chunked = true } = {}) {
  const whole = await open(c, bytes);
  if (c.error) {
    assert.ok(whole.error, `${c.file}: expected ${c.error.code}, got a dataset: ${whole.dataset && JSON.stringify(whole.dataset.report)}`);
    checkError(c, whole.error);
  } else {
    if (whole.error) assert.fail(`${c.file}: unexpected error ${whole.error.code}: ${whole.error.message}`);
    checkDataset(c, whole.dataset);
  }
  if (chunked) {
    const pieces = await open(c, chunks(bytes, 7));
    assert.equal(outcome(pieces), outcome(whole), `${c.file}: 7-byte chunks change the outcome`);
    pieces.dataset?.free();
  }
  whole.dataset?.free();
}

test("the committed corpus is what make.mjs writes, and has at least 40 files", () => {
  const names = Object.keys(FILES);
  assert.ok(names.length >= 40, `${names.length} files`);
  for (const name of names) assert.deepEqual(readFileSync(new URL(name, dir)), Buffer.from(FILES[name]), `${name} differs from make.mjs: rerun it`);
  for (const c of CASES) assert.ok(names.includes(c.file), `${c.file} is not in make.mjs`);
  for (const name of names) assert.ok(CASES.some((c) => c.file === name), `${name} has no expected outcome in cases.mjs`);
});

for (const c of CASES) {
  test(`hostile: ${c.file}${c.options ? ` ${JSON.stringify(c.options)}` : ""}`, async () => {
    await run(c, new Uint8Array(readFileSync(new URL(c.file, dir))));
  });
}

test("hostile, generated: 10,000 and 10,001 columns, a 10 MB field, a 100 KB id, 100k products", async () => {
  const files = generated();
  for (const c of GENERATED_CASES) await run(c, new TextEncoder().encode(files[c.file]), { chunked: false });
});

test("the wasm instance keeps answering after the whole corpus", async () => {
  assert.equal(simpleClv({ averageOrderValue: 75, purchaseFrequency: 3, lifespanYears: 4 }).clv, "900.00");
  const d = await ingest("customer,date,amount\na,2024-01-01,10\na,2024-02-01,20\n");
  assert.equal(d.report.acceptedRows, 2);
  d.free();
});
