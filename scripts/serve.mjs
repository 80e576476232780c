#!/usr/bin/env node
// clvkit demo server: zero dependencies (node:http, node:fs).
//
//   /            -> <repo>/www/
//   /clvkit/js/  -> <repo>/js/
//   /clvkit/dist/-> <repo>/dist/
//   /vendor/     -> the few third-party browser files listed in VENDOR (from node_modules)
//
// `npm run build` copies the same tree into dist/site/ (scripts/site.mjs) for a static host.
//
// Nothing else from the repository is served. Every response carries a strict
// Content-Security-Policy; there is no directory listing; paths cannot escape
// their mount.
//
// Usage: node scripts/serve.mjs [--port N] [--host H]   (PORT / HOST env too)
// In-process: import { startServer } from "./scripts/serve.mjs";
//             const server = await startServer({ port: 0 });

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, "..");

export const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'none'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * The analysis worker holds the user's data: its own policy (a worker's CSP comes from its
 * script's response) forbids every connection. It gets the compiled wasm from the page.
 */
export const WORKER_CSP = CSP.replace("connect-src 'self'", "connect-src 'none'");
export const WORKER_PATH = "/worker.js";

/** Third-party files the page loads, by URL path under /vendor/: [file name, path in the repo]. */
export const VENDOR = [["chart.umd.min.js", "node_modules/chart.js/dist/chart.umd.min.js"]];

const SECURITY_HEADERS = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** URL prefix -> directory (relative to root). The first match wins. */
function mounts(root) {
  return [
    ...VENDOR.map(([name, file]) => ({ prefix: `/vendor/${name}`, file: path.join(root, file) })),
    { prefix: "/clvkit/js/", dir: path.join(root, "js") },
    { prefix: "/clvkit/dist/", dir: path.join(root, "dist") },
    { prefix: "/", dir: path.join(root, "www") },
  ];
}

function send(res, status, body, headers = {}) {
  const buf = Buffer.from(body, "utf8");
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": buf.length,
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : buf);
}

/**
 * Map a request path to a file on disk, or null if it is not servable.
 * Rejects traversal ("..", encoded or not), NUL bytes, backslashes and dotfiles.
 */
export function resolvePath(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segments = decoded.split("/");
  if (segments.some((s) => s === ".." || s === "." || (s.startsWith(".") && s.length > 0))) return null;

  for (const { prefix, dir, file: single } of mounts(root)) {
    if (single) {
      if (decoded === prefix) return single;
      continue;
    }
    // "/clvkit/js" without the trailing slash is not a file either.
    if (!decoded.startsWith(prefix)) continue;
    let rel = decoded.slice(prefix.length);
    if (rel === "" || rel.endsWith("/")) {
      // Only the site root and www subfolders get an index.html; never a listing.
      if (prefix !== "/") return null;
      rel += "index.html";
    }
    const file = path.resolve(dir, rel);
    if (file !== dir && !file.startsWith(dir + path.sep)) return null;
    return file;
  }
  return null;
}

function handler(root) {
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "Method Not Allowed\n", { Allow: "GET, HEAD" });
      return;
    }
    // Use the raw path, not a URL-normalised one: any "." or ".." segment is refused outright.
    const pathname = String(req.url).split(/[?#]/)[0];
    const file = pathname.startsWith("/") ? resolvePath(root, pathname) : null;
    if (!file) {
      send(res, 404, "Not Found\n");
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        send(res, 404, "Not Found\n");
        return;
      }
      const type = MIME[path.extname(file).toLowerCase()] ?? "application/octet-stream";
      // The widget's iframe page (dist/widget/frame.html) may be framed by this site's pages.
      const framable = file.startsWith(path.join(root, "dist", "widget") + path.sep);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        ...(framable ? { "Content-Security-Policy": CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'") } : {}),
        ...(pathname === WORKER_PATH ? { "Content-Security-Policy": WORKER_CSP } : {}),
        "Content-Type": type,
        "Content-Length": st.size,
        "Cache-Control": "no-cache",
      });
      if (req.method === "HEAD") {
        res.end();
        return;
      }
      const stream = fs.createReadStream(file);
      stream.on("error", () => res.destroy());
      stream.pipe(res);
    });
  };
}

/**
 * Start the demo server. Resolves with the listening http.Server
 * (use server.address().port when port is 0).
 */
export function startServer({ port = 8080, host = "127.0.0.1", root = REPO_ROOT } = {}) {
  const server = http.createServer(handler(path.resolve(root)));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--port" || a === "-p") opts.port = argv[++i];
    else if (a.startsWith("--port=")) opts.port = a.slice(7);
    else if (a === "--host") opts.host = argv[++i];
    else if (a.startsWith("--host=")) opts.host = a.slice(7);
    else if (a === "--help" || a === "-h") opts.help = true;
    else throw new Error(`unknown argument: ${a}`);
  }
  return opts;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`serve: ${e.message}\nusage: node scripts/serve.mjs [--port N] [--host H]`);
    process.exit(2);
  }
  if (args.help) {
    console.log("usage: node scripts/serve.mjs [--port N] [--host H]\n(PORT and HOST environment variables also work; defaults 8080, 127.0.0.1)");
    return;
  }
  const portRaw = args.port ?? process.env.PORT ?? "8080";
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: invalid port: ${portRaw}`);
    process.exit(2);
  }
  const host = args.host ?? process.env.HOST ?? "127.0.0.1";
  const server = await startServer({ port, host });
  const actual = server.address().port;
  const shown = host === "127.0.0.1" || host === "::1" || host === "localhost" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  console.log(`clvkit demo: http://${shown}:${actual}/`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(`serve: ${e.message}`);
    process.exit(1);
  });
}
