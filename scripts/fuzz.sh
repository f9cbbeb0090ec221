#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for a bounded time, seeded from fixtures/ and the
# regressions, with a dictionary of Kubernetes keys and YAML tokens. Fails on any crash,
# panic, timeout (an input taking more than 1 s) or out-of-memory (more than 512 MB).
#
#   scripts/fuzz.sh                 # every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh lint
#
# A crash leaves its input in fuzz/artifacts/TARGET/: copy it to fuzz/regressions/TARGET/
# (tests/fuzz_regressions.rs replays those in `cargo test`) and fix the bug.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse lint fix)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked --quiet
fi

for target in "${targets[@]}"; do
  # The corpus the fuzzer grows lives under target/ (not committed); the seeds are read-only.
  corpus="target/fuzz-corpus/$target"
  mkdir -p "$corpus" "fuzz/regressions/$target"
  echo "== fuzz $target for ${seconds}s"
  # -s none: no sanitizer, so stable Rust builds it; -a: overflow checks and debug asserts on.
  cargo fuzz run -s none -a "$target" "$corpus" "fuzz/regressions/$target" fixtures -- \
    -max_total_time="$seconds" -timeout=1 -rss_limit_mb=512 \
    -dict=fuzz/kubernetes.dict -print_final_stats=1
done
