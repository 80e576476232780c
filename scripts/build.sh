#!/usr/bin/env bash
# Release build of the wasm package into dist/wasm (glue for --target web + clvkit_bg.wasm).
# wasm-opt comes from node_modules/.bin (npm `binaryen`) and wasm-bindgen from setup: nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
wasm-pack --quiet build --release --target web --out-dir dist/wasm --out-name clvkit --no-pack --no-typescript
rm -f dist/wasm/.gitignore
node scripts/size.mjs --quiet
node scripts/site.mjs
