// Ingest and analyses through the built package under Node: every source kind, progress,
// cancellation, strict mode, row accounting, columnar results, CSV export and freeing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, createReadStream } from "node:fs";
import { ingest, ingestFile, ClvkitError, Dataset } from "../../js/node.js";

const fixture = (name) => new URL(`../fixtures/${name}`, import.meta.url);
const small = "customer,date,amount\na,2024-01-01,10\na,2024-02-01,20.50\nb,2024-01-15,5\n";

async function rejects(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof ClvkitError, `expected ClvkitError, got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

test("every source kind gives the same dataset", async () => {
  const bytes = new TextEncoder().encode(small);
  const sources = [
    small,
    bytes,
    bytes.buffer,
    new Blob([small]),
    new Blob([small]).stream(),
    [bytes.subarray(0, 7), bytes.subarray(7)],
    (async function* () {
      for (const b of bytes) yield new Uint8Array([b]); // one byte at a time
    })(),
  ];
  for (const source of sources) {
    const ds = await ingest(source);
    assert.ok(ds instanceof Dataset);
    assert.equal(ds.customersCsv(), "customer_id,frequency,recency,T,monetary_value,first_purchase,last_purchase,orders,items,revenue,average_order_value\na,1,31,31,20.5,2024-01-01,2024-02-01,2,2,30.50,15.25\nb,0,0,17,0,2024-01-15,2024-01-15,1,1,5.00,5.00\n");
    ds.free();
  }
});

test("the BTYD summary matches lifetimes through the wasm package", async () => {
  const ds = await ingestFile(fixture("btyd_transactions.csv"));
  const t = ds.customers({ asOf: "2023-12-31" });
  assert.ok(t.frequency instanceof Float64Array && t.T instanceof Float64Array && t.orders instanceof Uint32Array);
  const expected = readFileSync(fixture("btyd_summary_days.csv"), "utf8").trim().split("\n");
  const header = expected.shift().split(",");
  const col = (name) => header.indexOf(name);
  const row = new Map(t.customerId.map((id, i) => [id, i]));
  assert.equal(expected.length, t.customerId.length);
  for (const line of expected) {
    const cells = line.split(",");
    const i = row.get(cells[col("customer_id")]);
    assert.notEqual(i, undefined, `customer ${cells[0]} missing`);
    for (const [name, got] of [["frequency", t.frequency[i]], ["recency", t.recency[i]], ["T", t.T[i]], ["monetary_value", t.monetaryValue[i]]]) {
      assert.ok(Math.abs(Number(cells[col(name)]) - got) <= 1e-9 * Math.max(1, Math.abs(got)), `${cells[0]} ${name}: ${cells[col(name)]} vs ${got}`);
    }
  }
  ds.free();
});

test("progress, report accounting and analyses", async () => {
  const seen = [];
  const stream = createReadStream(fixture("btyd_transactions.csv"), { highWaterMark: 4096 });
  const ds = await ingest(stream, {}, { onProgress: (p) => seen.push(p) });
  assert.ok(seen.length > 5, "progress after every chunk");
  assert.ok(seen.every((p, i) => i === 0 || p.bytes > seen[i - 1].bytes));
  const r = ds.report;
  assert.equal(r.acceptedRows + r.rejectedRows, r.totalRows);
  assert.equal(r.totalRows, 1993);
  assert.equal(r.mapping.customerId.header, "customer_id");
  const k = ds.kpis();
  assert.equal(k.customers, 300);
  assert.match(k.revenue, /^\d+\.\d\d$/);
  const c = ds.cohorts();
  assert.equal(c.size.reduce((a, b) => a + b, 0), 300);
  const rfm = ds.rfm();
  assert.ok(rfm.customers.r instanceof Uint8Array);
  assert.equal(rfm.segments.reduce((n, s) => n + s.customers, 0), 300);
  const life = ds.lifecycle({ newDays: 14 });
  assert.equal(life.customers.stage.length, 300);
  assert.ok(life.customers.medianGapDays instanceof Float64Array);
  assert.match(ds.rfmCsv(), /^customer_id,recency_days,frequency,monetary,r,f,m,fm,segment\n/);
  assert.equal(ds.lifecycleCsv().trim().split("\n").length, 301);
  const acq = ds.acquisition({ spend: [] });
  assert.equal(acq.unattributed.newCustomers, 300);
  ds.free();
});

test("ingestFile reports progress against the file's size", async () => {
  const path = fixture("btyd_transactions.csv");
  const size = readFileSync(path).length;
  const seen = [];
  const ds = await ingestFile(path, {}, { onProgress: (p) => seen.push(p) });
  assert.ok(seen.length > 0);
  assert.ok(seen.every((p) => p.totalBytes === size), JSON.stringify(seen[0]));
  assert.equal(seen.at(-1).bytes, size);
  ds.free();
});

test("a stream chunk larger than 1 MiB is fed in slices of at most 1 MiB", async () => {
  // 2.5 MiB as one chunk, as Node's Blob.stream() gives a whole Blob.
  let text = "customer,date,amount\n";
  for (let i = 0; text.length < 2.5 * 2 ** 20; i++) text += `c${i % 5000},2024-01-${String(1 + (i % 28)).padStart(2, "0")},${i % 90}.25\n`;
  const bytes = new TextEncoder().encode(text);
  const seen = [];
  async function* oneChunk() {
    yield bytes;
  }
  const ds = await ingest(oneChunk(), {}, { onProgress: (p) => seen.push(p.bytes) });
  assert.deepEqual(seen, [2 ** 20, 2 ** 21, bytes.length]);
  const whole = await ingest(bytes);
  assert.deepEqual(ds.report, whole.report);
  assert.deepEqual(ds.kpis(), whole.kpis());
  ds.free();
  whole.free();
});

test("bad rows are counted with line and column; strict mode throws the first", async () => {
  const text = "customer,date,amount\na,2024-01-01,10\nb,2024-02-30,5\nc,2024-01-02,abc\n,2024-01-03,1\nd,2024-01-04,7\n";
  const ds = await ingest(text);
  const r = ds.report;
  assert.deepEqual([r.totalRows, r.acceptedRows, r.rejectedRows], [5, 2, 3]);
  assert.deepEqual(r.errorExamples.map((e) => [e.line, e.column, e.code]), [[3, 2, "INVALID_DATE"], [4, 3, "INVALID_AMOUNT"], [5, 1, "MISSING_FIELD"]]);
  assert.equal(r.errorExamples[0].header, "date");
  ds.free();
  await assert.rejects(ingest(text, { strict: true }), (e) => e instanceof ClvkitError && e.code === "INVALID_DATE" && e.line === 3 && e.column === 2);
});

test("file-level errors and option errors are typed", async () => {
  await rejects(ingest(""), "EMPTY_FILE");
  await rejects(ingest("customer,date,amount\n"), "EMPTY_FILE");
  await rejects(ingest("who,when\nx,y\n"), "MISSING_COLUMN");
  await rejects(ingest(new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x62, 0x00])), "UNSUPPORTED_ENCODING");
  await rejects(ingest("customer,date,amount\na,03/04/2024,1\n"), "AMBIGUOUS_DATE");
  await rejects(ingest(small, { delimiter: "x" }), "OUT_OF_RANGE");
  await rejects(ingest(small, { dateFormat: "yyyy" }), "INVALID_INPUT");
  await rejects(ingest(small, { mapping: { customerId: "nope" } }), "MISSING_COLUMN");
  await rejects(ingest(small, { typo: 1 }), "UNKNOWN_FIELD");
  await rejects(ingest(42), "INVALID_INPUT");
  await rejects(ingest([42]), "INVALID_INPUT");
  const ds = await ingest("customer,date,amount\na,03/04/2024,1\n", { dateFormat: "dmy" });
  assert.equal(ds.customers().firstPurchase[0], "2024-04-03");
  for (const bad of [{ unit: "years" }, { asOf: "yesterday" }, { asOf: 5 }, "x"]) {
    assert.throws(() => ds.customers(bad), ClvkitError);
  }
  assert.throws(() => ds.acquisition({ spend: [{ channel: "x", spend: "-1" }] }), (e) => e.code === "NEGATIVE" && e.field === "spend[0].spend");
  ds.free();
});

test("customers({ columns }) computes and returns only the columns asked for", async () => {
  const ds = await ingest(small + "b,2024-03-01,7.25\nc,2024-03-02,-3\n");
  try {
    const all = ds.customers();
    const btyd = ds.customers({ unit: "days", columns: ["frequency", "recency", "T", "monetaryValue"] });
    assert.deepEqual(Object.keys(btyd), ["unit", "asOf", "customerId", "frequency", "recency", "T", "monetaryValue"]);
    for (const key of ["customerId", "frequency", "recency", "T", "monetaryValue"]) assert.deepEqual(btyd[key], all[key], key);
    // Any order, CSV names too, repeats; the table keeps its own column order.
    const some = ds.customers({ columns: ["averageOrderValue", "first_purchase", "T", "T"] });
    assert.deepEqual(Object.keys(some), ["unit", "asOf", "customerId", "T", "firstPurchase", "averageOrderValue"]);
    for (const key of ["T", "firstPurchase", "averageOrderValue"]) assert.deepEqual(some[key], all[key], key);
    assert.deepEqual(Object.keys(ds.customers({ columns: [] })), ["unit", "asOf", "customerId"]);
    assert.equal(ds.customersCsv({ columns: ["revenue", "frequency"] }), "customer_id,frequency,revenue\na,1,30.50\nb,1,12.25\n");
    const errors = [
      [["frequency", "spend"], "OUT_OF_RANGE", "columns", /"spend" is not a customer table column \(columns: customerId, frequency, /],
      [["T", 1], "INVALID_TYPE", "columns[1]", /must be a string/],
      ["frequency", "INVALID_TYPE", "columns", /must be an array \(got string\)/],
    ];
    for (const [bad, code, field, message] of errors) {
      assert.throws(() => ds.customers({ columns: bad }), (e) => e instanceof ClvkitError && e.code === code && e.field === field && message.test(e.message), String(bad));
      assert.throws(() => ds.customersCsv({ columns: bad }), (e) => e.code === code, String(bad));
    }
  } finally {
    ds.free();
  }
});

test("an AbortSignal cancels, and a freed dataset says so", async () => {
  const controller = new AbortController();
  const chunks = (async function* () {
    yield "customer,date,amount\n";
    controller.abort();
    yield "a,2024-01-01,1\n";
  })();
  await rejects(ingest(chunks, {}, { signal: controller.signal }), "CANCELLED");
  const ds = await ingest(small);
  ds.free();
  ds.free();
  assert.throws(() => ds.kpis(), (e) => e instanceof ClvkitError && e.code === "DATASET_FREED");
  assert.throws(() => ds.report, (e) => e.code === "DATASET_FREED");
});

test("CSV export neutralises formula injection in ids", async () => {
  const ds = await ingest('customer,date,amount\n"=cmd|\' /C calc\'!A0",2024-01-01,10\n@SUM(1),2024-01-02,5\n');
  const lines = ds.customersCsv().trim().split("\n");
  assert.ok(lines[1].startsWith("'=cmd|"), lines[1]);
  assert.ok(lines[2].startsWith("'@SUM(1)"), lines[2]);
  ds.free();
});

test("a pre-aggregated summary file round-trips through ingestSummary", async () => {
  const { ingestSummaryFile, ingestSummary } = await import("../../js/node.js");
  const s = await ingestSummaryFile(fixture("btyd_summary_days.csv"));
  assert.equal(s.report.acceptedRows, s.report.totalRows);
  assert.ok(s.report.hasMonetaryValue);
  const t = s.customers();
  assert.ok(t.T instanceof Float64Array);
  const original = readFileSync(fixture("btyd_summary_days.csv"), "utf8").trim().split("\n").length - 1;
  assert.equal(t.customerId.length, original);
  // The CSV we export reads back to the same table.
  const again = await ingestSummary(s.customersCsv());
  assert.deepEqual(Array.from(again.customers().monetaryValue), Array.from(t.monetaryValue));
  s.free();
  again.free();
  const bad = await ingestSummary("customer_id,frequency,recency,T\na,1,9,5\nb,0,0,3\n");
  assert.deepEqual([bad.report.acceptedRows, bad.report.rejectedRows, bad.report.errorExamples[0].line], [1, 1, 2]);
  bad.free();
  await rejects(ingestSummary("customer_id,frequency\na,1\n"), "MISSING_COLUMN");
});

test("customer ids with commas, quotes, newlines, emoji and CJK come back exactly", async () => {
  const ids = ["plain", "a,b", 'say "hi"', "line1\nline2", "😀 smile", "顧客一号", "👩‍👩‍👧 家族, \"x\"\nend", "customer-with-a-long-ascii-id", "zz"];
  const quote = (s) => `"${s.replaceAll('"', '""')}"`;
  const rows = ids.flatMap((id, i) => [`${quote(id)},2024-01-0${i + 1},${i + 1}`, `${quote(id)},2024-02-0${i + 1},2`]);
  const ds = await ingest(`customer,date,amount\n${rows.join("\n")}\n`);
  assert.equal(ds.report.rejectedRows, 0, JSON.stringify(ds.report.errorExamples));
  const sorted = (a) => [...a].sort();
  const t = ds.customers();
  // Text columns unpack when first read, and then behave as plain data properties.
  const copy = JSON.parse(JSON.stringify(t));
  assert.deepEqual(Object.keys(copy), Object.keys(t));
  assert.deepEqual(copy.lastPurchase, t.lastPurchase);
  assert.equal(t.customerId, t.customerId, "unpacked once");
  t.lastPurchase = ["replaced"];
  assert.deepEqual(t.lastPurchase, ["replaced"]);
  assert.ok(Array.isArray(t.customerId) && t.customerId.every((id) => typeof id === "string"));
  assert.deepEqual(sorted(t.customerId), sorted(ids));
  assert.deepEqual(t.firstPurchase.slice().sort(), ids.map((_, i) => `2024-01-0${i + 1}`));
  const rfm = ds.rfm();
  assert.deepEqual(sorted(rfm.customers.customerId), sorted(ids));
  assert.ok(rfm.customers.segment.every((s) => rfm.segments.some((x) => x.segment === s)), rfm.customers.segment.join());
  // Rows line up: each id keeps its own values next to it.
  for (const [i, id] of t.customerId.entries()) {
    assert.equal(t.revenue[i], `${ids.indexOf(id) + 3}.00`, id);
    assert.equal(rfm.customers.monetary[rfm.customers.customerId.indexOf(id)], t.revenue[i], id);
  }
  const life = ds.lifecycle();
  assert.deepEqual(sorted(life.customers.customerId), sorted(ids));
  ds.free();
});

test("monthly cohorts read as subscriptions fit the sBG model (dataset.fitSbg)", async () => {
  // Fader & Hardie's "regular" cohort, one payment a month: 1,000 subscribers, 241 left after 7 months.
  const alive = [1000, 631, 468, 382, 326, 289, 262, 241];
  const rows = ["customer,date,amount"];
  let id = 0;
  alive.forEach((n, age) => {
    const leaving = age + 1 < alive.length ? n - alive[age + 1] : n;
    for (let i = 0; i < leaving; i++, id++) {
      for (let m = 0; m <= age; m++) rows.push(`s${id},2024-${String(m + 1).padStart(2, "0")}-15,9.99`);
    }
  });
  const dataset = await ingest(rows.join("\n"));
  assert.deepEqual(dataset.cohorts({ asOf: "2024-08-31" }).surviving, [alive]);
  const r = dataset.fitSbg({ asOf: "2024-08-31", periods: 24 });
  assert.deepEqual(r.cohorts, [alive]);
  assert.ok(Math.abs(r.fit.params.alpha - 0.704) < 5e-4 && Math.abs(r.fit.params.beta - 1.182) < 5e-4, JSON.stringify(r.fit.params));
  assert.equal(r.survival.length, 25);
  assert.ok(r.survival.every((s, i) => i === 0 || s <= r.survival[i - 1]));
  assert.throws(() => dataset.fitSbg({ cohorts: [[10, 5]] }), (e) => e instanceof ClvkitError && e.code === "UNKNOWN_FIELD" && e.field === "cohorts");
  assert.throws(() => dataset.fitSbg({ asOf: "2024-01-31" }), (e) => e.code === "INSUFFICIENT_DATA");
  dataset.free();
});

test("a long ingest gives the event loop turns (at most every 16 ms), so timers and I/O go on", async () => {
  // 200,000 rows in 1 MiB chunks handed over synchronously: without the ingest's own turns, no
  // macrotask could run until it ended.
  const lines = ["customer,date,amount"];
  for (let i = 0; i < 200_000; i++) lines.push(`c${i % 5000},2024-01-${String(1 + (i % 28)).padStart(2, "0")},${i % 97}.25`);
  const bytes = new TextEncoder().encode(lines.join("\n") + "\n");
  const chunks = [];
  for (let at = 0; at < bytes.length; at += 1 << 20) chunks.push(bytes.subarray(at, at + (1 << 20)));
  let turns = 0;
  const tick = () => {
    turns++;
    if (!done) setImmediate(tick);
  };
  let done = false;
  setImmediate(tick);
  const started = performance.now();
  const ds = await ingest(chunks);
  done = true;
  const ms = performance.now() - started;
  assert.equal(ds.report.acceptedRows, 200_000);
  ds.free();
  if (ms >= 40) assert.ok(turns >= 1, `no turn in ${ms.toFixed(0)} ms of ingest`);
});
