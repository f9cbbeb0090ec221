#!/usr/bin/env bash
# What `--new-from-rev` costs: a copy of the corpus committed twice (one file edited between),
# then a plain run and a `--new-from-rev HEAD~1` run, alternating, RUNS times each; prints the
# median wall time and CPU time of each and their ratio.
#
#   scripts/bench-new-from-rev.sh [CORPUS_DIR] [RUNS]    (default: ../shared/corpus/real 5)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus/real}"
runs="${2:-5}"
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
cargo build --release --quiet
bin="$PWD/target/release/kubelint"
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
cp -r "$corpus"/. "$repo"
cd "$repo"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git init -q -b main && git add -A && git commit -q -m one
edited=$(git ls-files '*.yaml' | awk 'NR == 1')
printf '# edited\n' >> "$edited"
git commit -q -am two

# measure NAME ARGS...: appends "wall cpu" (seconds) to $repo/.NAME
measure() {
  local name=$1; shift
  /usr/bin/time -f '%e %U %S' -o "$repo/.time" "$bin" check . --format json --fail-on never "$@" >/dev/null 2>&1 || true
  awk '{print $1, $2 + $3}' "$repo/.time" >> "$repo/.$name"
}
for _ in $(seq "$runs"); do
  measure plain
  measure rev --new-from-rev HEAD~1
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
pw=$(cut -d' ' -f1 .plain | median); pc=$(cut -d' ' -f2 .plain | median)
rw=$(cut -d' ' -f1 .rev | median); rc=$(cut -d' ' -f2 .rev | median)
files=$(git ls-files | wc -l)
echo "corpus: $corpus ($files files), one file edited, median of $runs runs"
printf '%-28s %8s %8s\n' "" "wall s" "cpu s"
printf '%-28s %8s %8s\n' "plain" "$pw" "$pc"
printf '%-28s %8s %8s\n' "--new-from-rev HEAD~1" "$rw" "$rc"
awk -v pw="$pw" -v pc="$pc" -v rw="$rw" -v rc="$rc" \
  'BEGIN {printf "%-28s %7.2fx %7.2fx\n", "ratio", rw / pw, rc / pc}'
