// ingestFile of a large file in two parts at once (a worker thread reads the second part): the
// dataset and report are one reading's, whether the parts join or cannot; errors; cancellation.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ingestFile, prepare, ClvkitError } from "../../js/node.js";
import { TAKE } from "../../js/ingest.js";
import { generate } from "../../bench/generate.mjs";

const dir = mkdtempSync(join(tmpdir(), "clvkit-parts-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// 320,000 rows: 17.8 MB, past the 16 MiB from which ingestFile reads in two parts.
const big = join(dir, "big.csv");
generate({ rows: 320_000, seed: 7, path: big });
const text = readFileSync(big, "latin1");

/** `big.csv` with `change(lines)` applied, written as another file. */
function variant(name, change) {
  const lines = text.split("\n");
  change(lines);
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n"), "latin1");
  return path;
}

/** The line at about `share` of the file (a data row). */
const lineAt = (lines, share) => Math.floor(lines.length * share);

/** What a reading gives, to compare: the report without `parts`, and every analysis column. */
async function reading(path, options, control) {
  const dataset = await ingestFile(path, options, control);
  try {
    const { parts, ...report } = dataset.report;
    const t = dataset.customers({ unit: "weeks" });
    const table = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v) : v]));
    // Rules read every line's product: the second part's lines, kept encoded, decode for them.
    const rules = dataset.rulesCsv({ minSupport: 0.001 });
    return { parts, report, table, kpis: dataset.kpis(), cohorts: dataset.cohorts(), rules };
  } finally {
    dataset.free();
  }
}

/** Whether a reading joined the worker's part: 2 parts, or more when it also took pieces before
 *  it (it does when this thread falls behind, which depends on the moment). */
const joinedPart = (parts) => parts >= 2;

async function sameAsOneReading(path, options = {}, control = {}) {
  const whole = await reading(path, options, { parallel: false });
  const parts = await reading(path, options, control);
  assert.equal(whole.parts, 1);
  assert.deepEqual(parts.report, whole.report);
  assert.deepEqual(parts.table, whole.table);
  assert.deepEqual(parts.kpis, whole.kpis);
  assert.deepEqual(parts.cohorts, whole.cohorts);
  assert.equal(parts.rules, whole.rules);
  assert.ok(whole.rules.split("\n").length > 10, "rules were found");
  return parts.parts;
}

test("a large file read in two parts gives what one reading gives", async () => {
  assert.ok(joinedPart(await sameAsOneReading(big)), "the parts were joined");
});

test("pieces the worker reads before its part join as one reading gives", async () => {
  for (const take of [1, 2, 4]) {
    assert.equal(await sameAsOneReading(big, {}, { [TAKE]: take }), 2 + take, `the part and ${take} pieces were joined`);
  }
});

test("bad rows in the second part are reported at their lines, as one reading reports them", async () => {
  const path = variant("bad-rows.csv", (lines) => {
    for (const share of [0.5, 0.7, 0.8, 0.9]) {
      const i = lineAt(lines, share);
      const cells = lines[i].split(",");
      cells[3] = "12x.5"; // the amount
      lines[i] = cells.join(",");
    }
    lines.splice(lineAt(lines, 0.85), 0, "1,2,3"); // a short row
  });
  assert.ok(joinedPart(await sameAsOneReading(path)), "the parts were joined");
  // With the worker's pieces too: the bad row at half the file is in one of them.
  assert.equal(await sameAsOneReading(path, {}, { [TAKE]: 3 }), 5, "the part and three pieces were joined");
  const { report } = await reading(path, {}, {});
  assert.equal(report.rejectedRows, 5);
  assert.deepEqual(
    report.errorExamples.map((e) => [e.code, e.message.startsWith(`line ${e.line}`)]),
    [["INVALID_AMOUNT", true], ["INVALID_AMOUNT", true], ["INVALID_AMOUNT", true], ["MALFORMED_ROW", true], ["INVALID_AMOUNT", true]],
  );
});

test("a second part starts after an order longer than the first place looked at", async () => {
  // From just before 55 % of the file (where the second part is looked for) to 56 %, about
  // 270 KB, every line is one order's: no order id changes within the first 64 KiB looked at.
  const path = variant("long-order.csv", (lines) => {
    const [id, customer, date] = lines[lineAt(lines, 0.545)].split(",");
    for (let i = lineAt(lines, 0.545); i < lineAt(lines, 0.56); i++) {
      const cells = lines[i].split(",");
      cells.splice(0, 3, id, customer, date);
      lines[i] = cells.join(",");
    }
  });
  assert.ok(joinedPart(await sameAsOneReading(path)), "the parts were joined");
});

test("parts that cannot be joined exactly are read on in one", async () => {
  // The last line repeats the first order's id: that order spans both parts.
  const path = variant("revisited.csv", (lines) => {
    lines.splice(lines.length - 1, 0, lines[1]);
  });
  assert.equal(await sameAsOneReading(path), 1, "the parts were not joined");
  const { report } = await reading(path, {}, {});
  assert.ok(report.warnings.some((w) => w.code === "DUPLICATE_LINES"), "the repeated line joined its order");
});

test("strict mode stops at the same first bad row when it lies in the second part", async () => {
  const path = variant("strict.csv", (lines) => {
    const i = lineAt(lines, 0.75);
    const cells = lines[i].split(",");
    cells[2] = "2024-02-30"; // the date
    lines[i] = cells.join(",");
  });
  const failure = async (control) => {
    try {
      const dataset = await ingestFile(path, { strict: true }, control);
      dataset.free();
    } catch (e) {
      assert.ok(e instanceof ClvkitError, e.message);
      return { code: e.code, message: e.message, line: e.line, column: e.column };
    }
    assert.fail("strict mode accepted a bad date");
  };
  const whole = await failure({ parallel: false });
  assert.equal(whole.code, "INVALID_DATE");
  assert.deepEqual(await failure({}), whole);
});

test("cancelling a reading in two parts stops it", async () => {
  const controller = new AbortController();
  let calls = 0;
  const onProgress = () => {
    if (++calls === 2) controller.abort();
  };
  await assert.rejects(ingestFile(big, {}, { onProgress, signal: controller.signal }), (e) => e instanceof ClvkitError && e.code === "CANCELLED");
});

/** How many of this process's file descriptors are open on `path` (Linux's /proc; null elsewhere). */
function openOn(path) {
  if (!existsSync("/proc/self/fd")) return null;
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false; // closed meanwhile
    }
  }).length;
}

test("an ingest that stops early closes its file, in one reading or two parts", async (t) => {
  if (openOn(big) === null) return t.skip("no /proc/self/fd here");
  for (const parallel of [false, true]) {
    const controller = new AbortController();
    const onProgress = () => controller.abort();
    await assert.rejects(ingestFile(big, {}, { parallel, onProgress, signal: controller.signal }), (e) => e.code === "CANCELLED");
    assert.equal(openOn(big), 0, `parallel: ${parallel}`);
  }
});

test("a part worker started ahead by prepare() reads the second part, and the next one too", async () => {
  await prepare();
  assert.ok(joinedPart(await sameAsOneReading(big)), "the parts were joined");
  await prepare(); // the one started after that ingest
  const { parts, ...again } = await reading(big, {}, {});
  assert.ok(joinedPart(parts));
  const { parts: _, ...third } = await reading(big, {}, {});
  assert.deepEqual(again, third);
});

test("a worker waiting after prepare() does not keep the process alive", () => {
  const script = 'const m = await import("./js/node.js"); await m.prepare(); await m.prepare(); console.log("ready");';
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: new URL("../..", import.meta.url), encoding: "utf8", timeout: 30_000 });
  assert.equal(run.error, undefined, "the process ended by itself");
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), "ready");
});
