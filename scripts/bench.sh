#!/usr/bin/env bash
# Benchmark: kubelint vs checkov on the same corpus, in one run.
#
#   scripts/bench.sh [CORPUS_DIR]      (default: ../shared/corpus/real)
#   BASE=path/to/older/kubelint scripts/bench.sh
#                                      also compares this build with an older kubelint binary,
#                                      alternating runs (best of five each), to measure what a
#                                      change costs
#
# Prints, for each tool: files, documents, MB/s, files/s, wall time and peak RSS, then the ratios; then
# kubelint alone on the same bytes as one multi-document stream, and on 1x, 2x, 4x and 8x the
# corpus (copies with renamed namespaces, so the index grows with the input).
# The peers are checkov (`pip install checkov`, default checks) and kubernetes-validate
# (`pip install kubernetes-validate`, strict schema validation only, as kubeconform -strict);
# a peer that is missing is skipped. Runs are sequential so tools never compete for the cores.
# SCALING=0 skips the scaling table (it writes 15 copies of the corpus to a temporary directory).
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
    fps = (w > 0) ? f / w : 0
    printf "%-9s files %6d  documents %6d  %8.1f MB/s  %8.0f files/s  wall %7.2f s  peak RSS %7.1f MB\n", n, f, d, mbps, fps, w, r / 1024
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

if command -v kubernetes-validate >/dev/null; then
  # One process over every file, as kubelint gets them.
  find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 | sort -z >"$tmp/files"
  measure kvalidate sh -c 'xargs -0 -n 100000 kubernetes-validate --strict --quiet --no-warn <"$1"' sh "$tmp/files"
  report k-validate "$kvalidate_wall" "$kvalidate_rss"
  awk -v kw="$kubelint_wall" -v cw="$kvalidate_wall" -v kr="$kubelint_rss" -v cr="$kvalidate_rss" 'BEGIN {
    printf "ratio     kubelint/kubernetes-validate: wall %.3f, peak RSS %.2f\n", (cw > 0 ? kw / cw : 0), (cr > 0 ? kr / cr : 0)
  }'
else
  echo "k-validate not installed (pip install kubernetes-validate): no comparison"
fi

if command -v checkov >/dev/null; then
  measure checkov checkov -d "$corpus" --framework kubernetes -o json --skip-download --compact --quiet
  report checkov "$checkov_wall" "$checkov_rss"
  awk -v kw="$kubelint_wall" -v cw="$checkov_wall" -v kr="$kubelint_rss" -v cr="$checkov_rss" 'BEGIN {
    printf "ratio     kubelint/checkov: wall %.3f, peak RSS %.2f\n", (cw > 0 ? kw / cw : 0), (cr > 0 ? kr / cr : 0)
  }'
else
  echo "checkov   not installed (pip install checkov): no comparison"
fi

# Policies: the same run with twenty admission policies (benches/policies.yaml, in the spirit
# of the Kyverno library's CEL policies) passed with --policies, alternating runs, best of five.
policies="$(dirname "$0")/../benches/policies.yaml"
best_plain="" best_policies=""
for _ in 1 2 3 4 5; do
  /usr/bin/time -f '%e' -o "$tmp/t" "$bin" check "$corpus" --format json --output "$tmp/plain.json" >/dev/null 2>&1 || true
  t=$(tail -n 1 "$tmp/t")
  if [ -z "$best_plain" ] || awk -v a="$t" -v b="$best_plain" 'BEGIN {exit !(a < b)}'; then best_plain=$t; fi
  /usr/bin/time -f '%e' -o "$tmp/t" "$bin" check "$corpus" --policies "$policies" --format json --output "$tmp/policies.json" >/dev/null 2>&1 || true
  t=$(tail -n 1 "$tmp/t")
  if [ -z "$best_policies" ] || awk -v a="$t" -v b="$best_policies" 'BEGIN {exit !(a < b)}'; then best_policies=$t; fi
done
policy_findings=$(python3 -c "
import json, sys
report = json.load(open(sys.argv[1]))
print(sum(1 for d in report['diagnostics'] if d['rule'].startswith('vap/')))
" "$tmp/policies.json")
awk -v a="$best_plain" -v b="$best_policies" -v n="$policy_findings" 'BEGIN {
  printf "policies (20 admission policies): %.2f s -> %.2f s (%+.0f%%), %d policy findings\n", a, b, (a > 0 ? (b - a) / a * 100 : 0), n
}'

# One stream: every file of the corpus concatenated into one multi-document file (what a big
# `helm template`, `kubectl get -o yaml` or a CI artefact looks like), against the same bytes
# as files. Best of three each.
stream="$tmp/stream.yaml"
find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 | sort -z |
  xargs -0 awk 'FNR == 1 && NR > 1 { print "---" } { print }' >"$stream"
stream_bytes=$(stat -c %s "$stream")
best_run() {
  local best="" best_rss=""
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$tmp/t" "$@" >/dev/null 2>&1 || true
    local t r; read -r t r < <(tail -n 1 "$tmp/t")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$t; best_rss=$r; fi
  done
  echo "$best $best_rss"
}
read -r files_wall files_rss < <(best_run "$bin" check "$corpus" --format json --output "$tmp/files.json")
read -r stream_wall stream_rss < <(best_run "$bin" check "$stream" --format json --output "$tmp/stream.json")
read -r stdin_wall stdin_rss < <(best_run sh -c '"$1" check - --format json --output "$2" <"$3"' sh "$bin" "$tmp/stdin.json" "$stream")
awk -v b="$stream_bytes" -v fw="$files_wall" -v fr="$files_rss" -v sw="$stream_wall" -v sr="$stream_rss" -v iw="$stdin_wall" -v ir="$stdin_rss" -v f="$files" 'BEGIN {
  mb = b / 1048576
  printf "one stream (%.1f MB): as %d files %.2f s, %.0f MB | one file %.2f s (%+.0f%%), %.0f MB (%.2fx its size) | stdin %.2f s, %.0f MB\n", mb, f, fw, fr / 1024, sw, (fw > 0 ? (sw - fw) / fw * 100 : 0), sr / 1024, sr / 1024 / mb, iw, ir / 1024
}'

if [ "${SCALING:-1}" != 0 ]; then
  # Copies 2..8 rename every namespace (`namespace: x` -> `x-copyN`), so their objects are new
  # objects to the index rather than duplicates of the first copy's.
  python3 - "$corpus" "$tmp/scale" <<'PY'
import os, re, sys
corpus, out = sys.argv[1], sys.argv[2]
namespace = re.compile(rb"^(\s*namespace:\s*)([A-Za-z0-9][-A-Za-z0-9.]*)", re.M)
for root, _, names in os.walk(corpus):
    for name in names:
        if not name.endswith((".yaml", ".yml", ".json")):
            continue
        src = os.path.join(root, name)
        rel = os.path.relpath(src, corpus)
        data = open(src, "rb").read()
        for copy in range(1, 9):
            dst = os.path.join(out, f"copy{copy}", rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            body = data if copy == 1 else namespace.sub(rb"\g<1>\g<2>-copy%d" % copy, data)
            open(dst, "wb").write(body)
PY
  echo "scaling (kubelint, best of three):"
  printf "  %-6s %9s %9s %9s %10s %12s\n" copies MB wall "MB/s" "peak RSS" "RSS/input"
  for n in 1 2 4 8; do
    dirs=()
    for c in $(seq 1 "$n"); do dirs+=("$tmp/scale/copy$c"); done
    mb=$(du -sb "${dirs[@]}" | awk '{s+=$1} END {printf "%.1f", s/1048576}')
    read -r w r < <(best_run "$bin" check "${dirs[@]}" --format json --output "$tmp/scale.json")
    awk -v n="$n" -v mb="$mb" -v w="$w" -v r="$r" 'BEGIN {
      printf "  %-6s %9.1f %8.2fs %9.1f %7.0f MB %12.2f\n", n "x", mb, w, (w > 0 ? mb / w : 0), r / 1024, r / 1024 / mb
    }'
  done
fi
