// clvkit compiled natively (no wasm): the example bench/native/ingest.rs, built with
// `cargo build --release --example bench-ingest` (a no-op when it is up to date; outside the
// timing), then run with this script's arguments. The Rust process does the work and reports its
// own time and peak RSS in the case protocol (bench/cases/common.mjs); this script relays it.
// BENCH_NATIVE_PROFILE=dev (the ingest suite's smoke run sets it) builds the unoptimised example
// instead, quick to build next to `cargo test`'s artifacts: enough to check the answers.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO, spawnJson } from "../lib.mjs";

const profile = process.env.BENCH_NATIVE_PROFILE ?? "release";
const args = ["build", "--quiet", "--profile", profile, "--example", "bench-ingest"];
const build = spawnSync("cargo", args, { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
if (build.status !== 0) throw new Error(`cargo ${args.join(" ")} failed (exit ${build.status ?? build.signal}${build.error ? `, ${build.error.message}` : ""})`);
const target = process.env.CARGO_TARGET_DIR ?? join(REPO, "target");
const report = spawnJson(join(target, profile === "dev" ? "debug" : profile, "examples", "bench-ingest"), process.argv.slice(2));
process.stdout.write(JSON.stringify(report) + "\n");
