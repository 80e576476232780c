// Suite "memory" (issue 9): a generated 5M-row file (about 280 MB) streamed through ingest and the
// per-customer summary in Node, with the process's peak memory measured and checked against a
// documented bound; and the same file in the demo in headless Chromium, which must either finish
// or fail with a clear message on the page (never a dead tab).
import { join } from "node:path";
import { dataset } from "../generate.mjs";
import { BENCH_DIR, fmt, log, loadTracker, runNode, waitForBuild } from "../lib.mjs";

export const id = "memory";
export const title = "Memory: 5M rows in Node and in the demo (issue 9)";

/** The documented bound for 5M rows in Node (peak RSS of the process). */
const NODE_BOUND_BYTES = 2.5 * 2 ** 30;

export async function run({ smoke, seed = 42 }) {
  const failures = [];
  const load = loadTracker();
  const rows = smoke ? 20_000 : 5_000_000;
  const data = dataset({ rows, seed, log });
  waitForBuild();
  log(`memory: ${fmt.int(rows)} rows, ${fmt.mb(data.bytes)} MB, in Node`);
  const node = runNode(join(BENCH_DIR, "cases", "clvkit.mjs"), ["--file", data.path]);
  if (node.maxRssBytes > NODE_BOUND_BYTES) failures.push(`memory: peak RSS ${fmt.mib(node.maxRssBytes)} MiB for ${fmt.int(rows)} rows is over the bound of ${fmt.mib(NODE_BOUND_BYTES)} MiB`);
  log(`  Node: ${fmt.s(node.ms)} s, peak RSS ${fmt.mib(node.maxRssBytes)} MiB, wasm ${fmt.mib(node.wasmMemoryBytes)} MiB`);
  log(`memory: the same file in the demo (headless Chromium)`);
  const page = runNode(join(BENCH_DIR, "cases", "browser-dashboard.mjs"), ["--file", data.path, "--runs", "1", "--accept-failure", "yes"]).runs[0];
  const pageOutcome = page.state
    ? `the page said “${page.status.trim()}” after ${fmt.s(page.ms)} s and kept answering`
    : `full dashboard in ${fmt.s(page.ms)} s`;
  if (page.state && !page.status.trim()) failures.push("memory: the demo failed without a message");
  const markdown = `A generated file of ${fmt.int(rows)} rows (${fmt.mb(data.bytes)} MB, ${fmt.int(node.customers)} customers; bench/generate.mjs,
seed ${seed}) streamed from disk in 1 MiB chunks through the wasm ingest and the per-customer summary
in Node (\`bench/cases/clvkit.mjs\`), and uploaded to the demo in headless Chromium.

| where | outcome | time | peak memory | wasm memory |
| --- | --- | ---: | ---: | ---: |
| Node (\`ingestFile\` + \`customers()\`) | summary of ${fmt.int(node.customers)} customers | ${fmt.s(node.ms)} s | ${fmt.mib(node.maxRssBytes)} MiB RSS (bound ${fmt.mib(NODE_BOUND_BYTES)} MiB: ${node.maxRssBytes <= NODE_BOUND_BYTES ? "within" : "OVER"}) | ${fmt.mib(node.wasmMemoryBytes)} MiB |
| the demo in Chromium | ${pageOutcome} | ${fmt.s(page.ms)} s | ${fmt.mib(page.peakPssBytes)} MiB PSS (all Chromium processes) | ${page.wasmMemoryBytes == null ? "–" : `${fmt.mib(page.wasmMemoryBytes)} MiB`} |

- Load: ${load()}`;
  return { markdown, failures, targets: [] };
}
