// clvkit compiled natively (no wasm): the example bench/native/ingest.rs, built once with
// `cargo build --release --example bench-ingest` (a no-op when it is up to date; outside the
// timing), then run with this script's arguments. The Rust process does the work and reports its
// own time and peak RSS in the case protocol (bench/cases/common.mjs); this script relays it.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO, spawnJson } from "../lib.mjs";

const build = spawnSync("cargo", ["build", "--quiet", "--release", "--example", "bench-ingest"], { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
if (build.status !== 0) throw new Error(`cargo build --release --example bench-ingest failed (exit ${build.status ?? build.signal}${build.error ? `, ${build.error.message}` : ""})`);
const target = process.env.CARGO_TARGET_DIR ?? join(REPO, "target");
const report = spawnJson(join(target, "release", "examples", "bench-ingest"), process.argv.slice(2));
process.stdout.write(JSON.stringify(report) + "\n");
