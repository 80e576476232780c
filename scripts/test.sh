#!/usr/bin/env bash
# Every suite, in order, against the one release build in dist/ (run by `npm test` after setup and build).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
step() { printf '\n== %s\n' "$*"; }

step "native Rust tests (cargo test) and lints (cargo clippy)"
cargo test --quiet
# The widget's configuration (calculators only, no analytics): its unit and calculator tests.
cargo test --quiet --no-default-features
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings

step "bindings in headless Chromium (wasm-bindgen-test)"
wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" -- --test wasm

step "Node tests of the built package and the CLI"
node --test tests/js/*.test.mjs

step "packaging: npm pack into Node ESM, TypeScript, Vite and a plain page"
node --test tests/pack/*.test.mjs

step "the www/ page in headless Chromium: the calculators, and the demo app end to end (one browser per file)"
node --test tests/e2e/*.test.mjs

step "the embeddable widget: size budget, and embedded from another origin in headless Chromium"
node --test tests/widget/*.test.mjs

step "benchmark smoke run: every suite on tiny data, each peer's answer checked against clvkit's"
node bench/run.mjs --smoke --no-write

printf '\nAll suites passed.\n'
