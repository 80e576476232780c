#!/usr/bin/env bash
# Release build of the wasm package into dist/wasm (glue for --target web + clvkit_bg.wasm),
# and of the embeddable widget into dist/widget.
# wasm-opt comes from node_modules/.bin (npm `binaryen`) and wasm-bindgen from setup: nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
wasm-pack --quiet build --release --target web --out-dir dist/wasm --out-name clvkit --no-pack --no-typescript
rm -f dist/wasm/.gitignore

# The embeddable widget (dist/widget): the calculators only (no `analytics`, no JS-object API),
# built for size, its wasm-bindgen glue bundled and minified with the element into clv-widget.js.
cargo build --quiet --lib --profile widget --target wasm32-unknown-unknown --no-default-features
wasm-bindgen --target web --no-typescript --out-dir target/widget-glue --out-name clv-widget \
  target/wasm32-unknown-unknown/widget/clvkit.wasm
rm -rf dist/widget && mkdir -p dist/widget
wasm-opt -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals target/widget-glue/clv-widget_bg.wasm -o dist/widget/clv-widget_bg.wasm
rolldown widget/clv-widget.js --format esm --minify --logLevel silent --file dist/widget/clv-widget.js
cp widget/frame.html widget/frame.js widget/clv-widget.d.ts dist/widget/
node scripts/size.mjs --quiet
node scripts/site.mjs
