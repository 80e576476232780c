#!/usr/bin/env bash
# `npm run fuzz [-- SECONDS [TARGET...]]`: runs each cargo-fuzz target (fuzz/fuzz_targets) for
# SECONDS (default 300) on the nightly toolchain, starting from its committed corpus
# (fuzz/corpus/<target>) seeded with the hostile-input files, then minimises the corpus back into
# fuzz/corpus. A crash stops with the reproducer in fuzz/artifacts/<target>/ (make it a regression
# test, then fix). Installs the nightly toolchain and cargo-fuzz when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${1:-300}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(reader ingest mapping dates amounts summary_file baskets options)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz

seeds_for() {
  case "$1" in
    reader|ingest) ls tests/fixtures/hostile/*.csv tests/fixtures/btyd_transactions.csv ;;
    summary_file) ls tests/fixtures/hostile/summary-*.csv tests/fixtures/cdnow_summary.csv ;;
    baskets) ls tests/fixtures/hostile/baskets-*.txt ;;
    *) ;;
  esac
}

for t in "${targets[@]}"; do
  corpus="fuzz/corpus/$t"
  mkdir -p "$corpus"
  # Seeds: the chunk-size byte first, then the file (the targets read their first byte as that).
  for f in $(seeds_for "$t"); do
    name="$corpus/seed-$(basename "$f")"
    [ -f "$name" ] || { printf '\007'; head -c 4096 "$f"; } > "$name"
  done
  echo "[fuzz] $t for ${seconds}s"
  cargo +nightly fuzz run "$t" "$corpus" -- -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 2>&1 \
    | grep -E '^(#[0-9]+ +DONE|Done|==[0-9]+==|SUMMARY|INFO: (Running|seed corpus))|artifact|panicked' || true
  # Keep only the inputs that add coverage.
  cargo +nightly fuzz cmin "$t" "$corpus" >/dev/null 2>&1 || true
  [ -z "$(ls -A "fuzz/artifacts/$t" 2>/dev/null)" ] || { echo "[fuzz] $t: CRASH, see fuzz/artifacts/$t" >&2; exit 1; }
done
echo "[fuzz] done: ${#targets[@]} target(s), ${seconds}s each, no crash"
