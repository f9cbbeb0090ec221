#!/usr/bin/env bash
# Benchmark: kubelint vs checkov on the same corpus, in one run.
#
#   scripts/bench.sh [CORPUS_DIR]      (default: ../shared/corpus/real)
#   BASE=path/to/older/kubelint scripts/bench.sh
#                                      also compares this build with an older kubelint binary,
#                                      alternating runs (best of five each), to measure what a
#                                      change costs
#
# Prints, for each tool: files, documents, MB/s, wall time and peak RSS, then the ratios.
# checkov is the peer (`pip install checkov`); if it is missing, only kubelint is measured.
# Runs are sequential so the two tools never compete for the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus/real}"
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }

cargo build --release --quiet
bin=target/release/kubelint
bytes=$(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
files=$(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure NAME CMD...: runs CMD once under GNU time, records wall seconds and peak RSS (KiB).
measure() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || true
  # GNU time prefixes "Command exited with non-zero status N" when the tool reports findings.
  read -r wall rss < <(tail -n 1 "$tmp/$name.time")
  printf -v "${name}_wall" '%s' "$wall"
  printf -v "${name}_rss" '%s' "$rss"
}

# Warm the page cache so neither tool pays for the first read.
cat $(find "$corpus" -type f) >/dev/null 2>&1 || true

measure kubelint "$bin" check "$corpus" --format json --output "$tmp/kubelint.json"
documents=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['documents'])" "$tmp/kubelint.json")

# What schema validation costs: the same run without the schema rules, best of three each
# (a one-second run is noisy on a shared machine).
best_of_three() {
  local best=""
  for _ in 1 2 3; do
    /usr/bin/time -f '%e' -o "$tmp/t" "$@" >/dev/null 2>&1 || true
    local t; t=$(tail -n 1 "$tmp/t")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$t; fi
  done
  echo "$best"
}
with_schemas=$(best_of_three "$bin" check "$corpus" --format json --output "$tmp/with.json")
without_schemas=$(best_of_three "$bin" check "$corpus" --ignore schema --format json --output "$tmp/without.json")

report() {
  local name=$1 wall=$2 rss=$3
  awk -v n="$name" -v w="$wall" -v r="$rss" -v b="$bytes" -v f="$files" -v d="$documents" 'BEGIN {
    mbps = (w > 0) ? b / 1048576 / w : 0
    printf "%-9s files %6d  documents %6d  %8.1f MB/s  wall %7.2f s  peak RSS %7.1f MB\n", n, f, d, mbps, w, r / 1024
  }'
}

echo "corpus: $corpus ($(awk -v b="$bytes" 'BEGIN {printf "%.1f MB", b/1048576}'), $files files), $(nproc) cores"
report kubelint "$kubelint_wall" "$kubelint_rss"
awk -v w="$with_schemas" -v wo="$without_schemas" 'BEGIN {
  printf "schema validation: %.2f s with, %.2f s without the schema rules: +%.0f%% of the run\n", w, wo, (wo > 0 ? (w - wo) / wo * 100 : 0)
}'

if [ -n "${BASE:-}" ]; then
  # Alternate the two binaries so that load on a shared machine hits both alike.
  base_best="" this_best=""
  for _ in 1 2 3 4 5; do
    for which in base this; do
      if [ "$which" = base ]; then b=$BASE; else b=$bin; fi
      /usr/bin/time -f '%e' -o "$tmp/t" "$b" check "$corpus" --format json --output "$tmp/$which.json" >/dev/null 2>&1 || true
      t=$(tail -n 1 "$tmp/t")
      best_var="${which}_best"
      if [ -z "${!best_var}" ] || awk -v a="$t" -v b="${!best_var}" 'BEGIN {exit !(a < b)}'; then
        printf -v "$best_var" '%s' "$t"
      fi
    done
  done
  awk -v b="$base_best" -v t="$this_best" -v n="$BASE" 'BEGIN {
    printf "this build vs %s: wall %.2f s vs %.2f s (best of five each): %+.1f%%\n", n, t, b, (b > 0 ? (t - b) / b * 100 : 0)
  }'
fi

if command -v checkov >/dev/null; then
  measure checkov checkov -d "$corpus" --framework kubernetes -o json --skip-download --compact --quiet
  report checkov "$checkov_wall" "$checkov_rss"
  awk -v kw="$kubelint_wall" -v cw="$checkov_wall" -v kr="$kubelint_rss" -v cr="$checkov_rss" 'BEGIN {
    printf "ratio     checkov/kubelint: wall %.1fx, peak RSS %.1fx\n", (kw > 0 ? cw / kw : 0), (kr > 0 ? cr / kr : 0)
  }'
else
  echo "checkov   not installed (pip install checkov): no comparison"
fi
