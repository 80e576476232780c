// The demo in headless Chromium, from the upload of a file to the full dashboard (issue 6):
//
//   node bench/cases/browser-dashboard.mjs --file data.csv [--runs N] [--trace trace.json]
//                                          [--profile page.cpuprofile] [--query workers=1]
//                                          [--accept-failure yes]
//
// Serves dist/site (the static demo that `npm run build` writes) from an in-process server with the
// demo's headers, and for each run starts a fresh Chromium, opens the demo, waits for its engine,
// uploads the file through the file input (setInputFiles), waits for the mapping step, clicks
// Analyse and waits for <html data-dashboard="complete">: every panel drawn with its first page of
// rows and the calculators pre-filled (www/demo/main.js). The page's performance marks give the
// times: upload → columns detected (the preview of the first 256 KB) plus Analyse → dashboard
// complete (worker, transfer, rendering); the few milliseconds this script takes to click Analyse
// are not counted. A PerformanceObserver("longtask") registered before the page's own scripts
// records the main thread's long tasks (over 50 ms) from the upload to the end; the worker's
// result carries its phase timings and its wasm memory. Chromium's memory: the peak of the summed
// PSS (/proc/<pid>/smaps_rollup) of the browser's process tree, sampled every 250 ms, the
// renderer's peak PSS alone, and the page's JS heap at the end (CDP Performance.getMetrics). A light
// trace of each run gives the main thread's long tasks again with their CPU time (thread time),
// which tells the page's own work from waiting for a core on a busy machine.
//
// Prints one JSON line: { case: "browser", runs: [{ ... }] }. --trace writes a Chrome trace of
// the first run (open it in chrome://tracing or the DevTools Performance panel), --profile a CPU
// profile of the page's main thread (CDP Profiler) from the upload to the end of the first run;
// --query adds a query string to the page's URL (workers=1: the demo's one-worker mode).
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CSP, MIME, WORKER_CSP, WORKER_PATH } from "../../scripts/serve.mjs";
import { args } from "./common.mjs";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SITE = path.join(REPO, "dist", "site");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** How long after the dashboard is complete long tasks are still counted (late layout, chart resizes). */
const SETTLE_MS = 500;

/** A static server for dist/site with the demo's policies (scripts/serve.mjs's, as _headers says). */
function serveSite() {
  const server = http.createServer((req, res) => {
    let pathname = decodeURIComponent(String(req.url).split(/[?#]/)[0]);
    if (pathname.endsWith("/")) pathname += "index.html";
    const file = path.join(SITE, path.normalize(pathname));
    if (!file.startsWith(SITE + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found\n");
      return;
    }
    res.writeHead(200, {
      "Content-Type": MIME[path.extname(file).toLowerCase()] ?? "application/octet-stream",
      "Content-Security-Policy": pathname === WORKER_PATH ? WORKER_CSP : CSP,
      "Cross-Origin-Opener-Policy": "same-origin",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-cache",
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The pids of `root` and its descendants. */
function processTree(root) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {} // gone meanwhile
  }
  const out = [];
  const visit = (pid) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) visit(c);
  };
  visit(root);
  return out;
}

/** PSS in bytes of one process (0 when it is gone). */
function pss(pid) {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))[1]) * 1024;
  } catch {
    return 0;
  }
}

const isRenderer = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer");
  } catch {
    return false;
  }
};

/** Samples the PSS of `rootPid`'s descendants until stop() → { peakTotal, peakRenderer }. */
function memorySampler(rootPid) {
  let peakTotal = 0;
  let peakRenderer = 0;
  let tree = processTree(rootPid);
  let ticks = 0;
  const sample = () => {
    if (ticks++ % 8 === 0) tree = processTree(rootPid); // new processes start rarely
    let total = 0;
    for (const pid of tree) {
      if (pid === rootPid) continue;
      const p = pss(pid);
      total += p;
      if (p > peakRenderer && isRenderer(pid)) peakRenderer = p;
    }
    peakTotal = Math.max(peakTotal, total);
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakTotal, peakRenderer };
    },
  };
}

/** A worker's phase timings without its memory figure (nested: the cross-sell worker's). */
const phasesOf = (timings) =>
  Object.fromEntries(Object.entries(timings ?? {}).filter(([k]) => k !== "wasmMemoryBytes").map(([k, v]) => [k, typeof v === "object" && v ? phasesOf(v) : v]));

/**
 * The renderer main thread's tasks over 50 ms of wall time between the marks clvkit:file-chosen
 * and clvkit:dashboard-complete (+ SETTLE_MS), from a trace: { count, maxWallMs, maxCpuMs,
 * longestCpuMs (the CPU time of the longest task), totalCpuMs }, and the CPU time of the main
 * thread and of the workers' threads from the upload to the full dashboard (mainCpuMs, workerCpuMs).
 */
function mainThreadCpu(trace) {
  const events = trace.traceEvents ?? trace;
  const main = new Set(events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
  const markTs = (name) => events.find((e) => e.name === `clvkit:${name}` && e.cat?.includes("blink.user_timing"))?.ts;
  const from = markTs("file-chosen");
  const to = markTs("dashboard-complete");
  if (from == null || to == null) return null;
  const workers = new Set(events.filter((e) => e.name === "thread_name" && /^DedicatedWorker/.test(e.args?.name ?? "")).map((e) => `${e.pid}:${e.tid}`));
  const isTask = (e) => e.ph === "X" && (e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask");
  const inWindow = (e) => e.ts + e.dur >= from && e.ts <= to;
  const cpuOf = (threads) => events.filter((e) => isTask(e) && threads.has(`${e.pid}:${e.tid}`) && inWindow(e)).reduce((sum, e) => sum + (e.tdur ?? e.dur), 0) / 1000;
  // CPU time of the whole flow, upload → complete: a bound on the time on an idle machine.
  const flow = { mainCpuMs: cpuOf(main), workerCpuMs: cpuOf(workers) };
  const tasks = events.filter((e) => isTask(e) && main.has(`${e.pid}:${e.tid}`) && e.dur >= 50_000 && e.ts + e.dur >= from && e.ts <= to + SETTLE_MS * 1000);
  if (tasks.length === 0) return { ...flow, count: 0, maxWallMs: 0, maxCpuMs: 0, longestCpuMs: 0, totalCpuMs: 0 };
  const longest = tasks.reduce((a, b) => (b.dur > a.dur ? b : a));
  return {
    ...flow,
    count: tasks.length,
    maxWallMs: longest.dur / 1000,
    maxCpuMs: Math.max(...tasks.map((e) => e.tdur ?? e.dur)) / 1000,
    longestCpuMs: (longest.tdur ?? longest.dur) / 1000,
    totalCpuMs: tasks.reduce((s, e) => s + (e.tdur ?? e.dur), 0) / 1000,
  };
}

/**
 * Resolves once `selector`'s attribute `name` has one of `values`. A MutationObserver in the page,
 * not Playwright's polling: its queries would add work to the main thread being measured.
 */
function attributeIs(page, selector, name, values, timeout) {
  return page.evaluate(
    ([selector, name, values, timeout]) =>
      new Promise((resolve, reject) => {
        const el = document.querySelector(selector);
        const done = () => values.includes(el.getAttribute(name));
        if (done()) return resolve();
        const timer = setTimeout(() => (observer.disconnect(), reject(new Error(`${selector}[${name}] still ${el.getAttribute(name)}`))), timeout);
        const observer = new MutationObserver(() => {
          if (!done()) return;
          observer.disconnect();
          clearTimeout(timer);
          resolve();
        });
        observer.observe(el, { attributes: true, attributeFilter: [name] });
      }),
    [selector, name, values, timeout],
  );
}

async function oneRun(origin, file, { trace, profile, query }) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`${origin}/${query ? `?${query}` : ""}`, { waitUntil: "load" });
    await page.waitForSelector("html[data-demo=ready]", { timeout: 60_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const memory = memorySampler(process.pid); // Chromium's processes are this one's descendants
    // Always a light trace (task boundaries, thread CPU time, the page's marks); --trace: the full one.
    await browser.startTracing(page, trace ? { path: trace, screenshots: false } : { categories: ["toplevel", "blink.user_timing"] });
    if (profile) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }

    await page.setInputFiles("#file", file);
    await attributeIs(page, "#mapping-form", "data-ready", ["true"], 60_000);
    await page.click("#analyse");
    await attributeIs(page, "html", "data-dashboard", ["complete", "failed"], 1_800_000);
    await page.waitForTimeout(SETTLE_MS);
    const cpu = mainThreadCpu(JSON.parse(String(await browser.stopTracing())));
    if (profile) writeFileSync(profile, JSON.stringify((await cdp.send("Profiler.stop")).profile));
    const mem = memory.stop();
    const metrics = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));

    const seen = await page.evaluate(() => {
      const marks = Object.fromEntries(performance.getEntriesByType("mark").filter((m) => m.name.startsWith("clvkit:")).map((m) => [m.name.slice(7), { at: m.startTime, detail: m.detail }]));
      return {
        state: document.documentElement.dataset.dashboard,
        status: document.getElementById("demo-status").textContent,
        marks,
        longTasks: window.__longTasks,
        now: performance.now(),
        panels: [...document.querySelectorAll("#panels > section.panel")].map((s) => s.id.replace(/^panel-/, "")),
        customers: document.querySelector('[data-kpi="customers"] dd data')?.getAttribute("value") ?? null,
        customerRows: document.querySelectorAll("#panel-customers tbody tr").length,
        rulesStatus: document.getElementById("rules-status")?.textContent ?? null,
      };
    });
    if (seen.state !== "complete") {
      // --accept-failure (the memory suite's 5M rows): a clear failure on the page is an answer too.
      if (!acceptFailure) throw new Error(`the dashboard failed: ${seen.status} ${errors.join("; ")}`);
      return { state: seen.state, status: seen.status, ms: seen.now - (seen.marks["file-chosen"]?.at ?? 0), peakPssBytes: mem.peakTotal, peakRendererPssBytes: mem.peakRenderer, errors, pageAlive: true };
    }
    const m = seen.marks;
    const from = m["file-chosen"].at;
    const to = m["dashboard-complete"].at;
    const tasks = seen.longTasks.filter((t) => t.start >= from).map((t) => ({ ...t, start: t.start - from }));
    const phaseOf = (t) => (t.start + from < m["analyse-start"].at ? "preview" : t.start + from < m.analysed.at ? "worker" : t.start + from <= to ? "render" : "after");
    const timings = m.analysed.detail ?? {};
    return {
      previewMs: m["mapping-ready"].at - from,
      analyseMs: to - m["analyse-start"].at,
      workerMs: m.analysed.at - m["analyse-start"].at,
      renderMs: to - m.analysed.at,
      ms: m["mapping-ready"].at - from + (to - m["analyse-start"].at),
      clickGapMs: m["analyse-start"].at - m["mapping-ready"].at,
      // The analysis worker's phases, and the cross-sell worker's (running beside it) under crossSell.
      phases: phasesOf(timings),
      wasmMemoryBytes: timings.wasmMemoryBytes == null ? null : timings.wasmMemoryBytes + (timings.crossSell?.wasmMemoryBytes ?? 0),
      longTasks: {
        count: tasks.length,
        maxMs: Math.max(0, ...tasks.map((t) => t.duration)),
        totalMs: tasks.reduce((s, t) => s + t.duration, 0),
        top: [...tasks].sort((a, b) => b.duration - a.duration).slice(0, 5).map((t) => ({ ...t, phase: phaseOf(t) })),
      },
      // The same tasks as the trace saw them: wall and CPU time of the main thread's tasks over
      // 50 ms (wall) in the window; CPU time is what the page itself cost, the rest is waiting for a
      // core (other processes, the worker).
      mainThread: cpu,
      peakPssBytes: mem.peakTotal,
      peakRendererPssBytes: mem.peakRenderer,
      jsHeapUsedBytes: metrics.JSHeapUsedSize ?? null,
      customers: Number(seen.customers),
      panels: seen.panels,
      customerRows: seen.customerRows,
      rulesStatus: seen.rulesStatus,
      errors,
    };
  } finally {
    await browser.close();
  }
}

const opts = args();
const runs = Number(opts.runs ?? 1);
const acceptFailure = opts["accept-failure"] === "yes";
if (!existsSync(path.join(SITE, "index.html"))) throw new Error("dist/site is missing: run `node scripts/site.mjs` (or `npm run build`)");
const server = await serveSite();
const origin = `http://127.0.0.1:${server.address().port}`;
const results = [];
try {
  for (let i = 0; i < runs; i++) {
    const r = await oneRun(origin, path.resolve(opts.file), { trace: i === 0 ? opts.trace : null, profile: i === 0 ? opts.profile : null, query: opts.query });
    if (r.state) {
      console.error(`[browser] run ${i + 1}/${runs}: ${r.state} after ${(r.ms / 1000).toFixed(2)} s: ${r.status}`);
      results.push(r);
      continue;
    }
    console.error(`[browser] run ${i + 1}/${runs}: ${(r.ms / 1000).toFixed(2)} s (worker ${(r.workerMs / 1000).toFixed(2)} s, render ${(r.renderMs / 1000).toFixed(2)} s), ` +
      `${r.longTasks.count} long tasks, longest ${Math.round(r.longTasks.maxMs)} ms, peak PSS ${(r.peakPssBytes / 2 ** 20).toFixed(0)} MiB`);
    results.push(r);
  }
} finally {
  server.close();
}
const chromiumVersion = spawnSync(CHROMIUM, ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "?";
process.stdout.write(JSON.stringify({ case: "browser", chromium: chromiumVersion, runs: results }) + "\n");
