#!/usr/bin/env bash
# One idempotent set-up for a fresh machine, called by `npm start` and `npm test` (and so by CI).
# It checks each tool, installs only what is missing, and says what it installs.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "[setup] $*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# The wasm-bindgen CLI must be exactly the version the crate pins (`wasm-bindgen = "=X.Y.Z"`).
wb_version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n 1)
[ -n "$wb_version" ] || { echo "[setup] cannot read the pinned wasm-bindgen version from Cargo.toml" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "installing Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb_version\b"; then
  say "installing wasm-bindgen-cli $wb_version (matches Cargo.toml; takes a few minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

if ! command -v wasm-pack >/dev/null 2>&1; then
  say "installing wasm-pack (takes a few minutes)"
  cargo install wasm-pack
fi

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  say "installing Debian chromium and chromium-driver"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# npm ci only when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

say "ready: $(rustc --version | cut -d' ' -f1-2), wasm-bindgen $wb_version, $(wasm-pack --version), $(chromium --version 2>/dev/null | head -n1), node $(node --version)"
