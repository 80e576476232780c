#!/usr/bin/env node
// Writes dist/site/: the demo as a static folder for any static host, laid out as
// scripts/serve.mjs serves it (www/ at the root, the package's browser JS under clvkit/js/, the
// wasm under clvkit/dist/wasm/, third-party files under vendor/), plus a `_headers` file with the
// Content-Security-Policy for hosts that read one (Netlify, Cloudflare Pages); elsewhere, send the
// same headers from the host's configuration. Run by scripts/build.sh after the wasm build.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CSP, REPO_ROOT, VENDOR, WORKER_CSP, WORKER_PATH } from "./serve.mjs";

const out = path.join(REPO_ROOT, "dist", "site");
const from = (...p) => path.join(REPO_ROOT, ...p);

/** The package's JS files the browser entry reaches through relative imports. */
function browserJs(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(from("js", file), "utf8");
    for (const [, spec] of source.matchAll(/(?:import|export)\s[^;]*?from\s+"\.\/([^"]+)"/g)) visit(spec);
  };
  visit(entry);
  return [...seen];
}

rmSync(out, { recursive: true, force: true });
cpSync(from("www"), out, { recursive: true });
mkdirSync(path.join(out, "clvkit", "js"), { recursive: true });
for (const file of browserJs("index.js")) cpSync(from("js", file), path.join(out, "clvkit", "js", file));
for (const file of ["clvkit.js", "clvkit_bg.wasm"]) cpSync(from("dist", "wasm", file), path.join(out, "clvkit", "dist", "wasm", file));
for (const [name, file] of VENDOR) cpSync(from(file), path.join(out, "vendor", name));
const headers = ["X-Content-Type-Options: nosniff", "Referrer-Policy: no-referrer", "Cross-Origin-Opener-Policy: same-origin"];
writeFileSync(
  path.join(out, "_headers"),
  ["/*", `  Content-Security-Policy: ${CSP}`, ...headers.map((x) => `  ${x}`), WORKER_PATH, `  Content-Security-Policy: ${WORKER_CSP}`, ""].join("\n"),
);
console.log(`static demo site: ${path.relative(process.cwd(), out) || out}`);
