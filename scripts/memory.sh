#!/usr/bin/env bash
# Peak memory on minified manifests: one single-line JSON `kind: List` (what
# `kubectl get deploy -A -o json` writes) at 0.4 MB and at 5.2 MB, some of it non-ASCII.
#
#   scripts/memory.sh            builds the release binary, prints both runs, and fails when
#                                the 5 MB run is not linear in its input
#
# Bound checked: peak RSS of the 5 MB run ≤ 80 MB + 64 × its size. Today it uses about 50 bytes
# per input byte (the whole document's tree, and every finding), independent of line length.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
cargo build --release --quiet
bin=target/release/kubelint
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp" <<'PY'
import json, sys
def deployment(i):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"web-{i}", "namespace": f"team-{i % 40}",
                         "annotations": {"owner": f"équipe-{i}"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": f"web-{i}"}},
                     "template": {"metadata": {"labels": {"app": f"web-{i}"}},
                                  "spec": {"containers": [{"name": "web", "image": f"example/web:1.{i}",
                                                           "command": ["sh", "-c", "python app.py"],
                                                           "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                                         "limits": {"memory": "128Mi"}}}]}}}}
for name, count in (("small", 1000), ("large", 12000)):
    items = [deployment(i) for i in range(count)]
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, separators=(",", ":"), ensure_ascii=False)
    open(f"{sys.argv[1]}/{name}.json", "w").write(text)
PY

fail=0
for name in small large; do
  file="$tmp/$name.json"
  bytes=$(stat -c %s "$file")
  /usr/bin/time -f '%e %M' -o "$tmp/$name.time" "$bin" check "$file" --color never >"$tmp/$name.out" 2>&1 || true
  read -r wall rss < <(tail -n 1 "$tmp/$name.time")
  out=$(stat -c %s "$tmp/$name.out")
  awk -v n="$name" -v b="$bytes" -v w="$wall" -v r="$rss" -v o="$out" 'BEGIN {
    printf "single-line %-5s  input %5.1f MB  wall %5.2f s  peak RSS %6.1f MB (%4.1f x input)  human output %5.1f MB\n",
      n, b / 1048576, w, r / 1024, r * 1024 / b, o / 1048576 }'
  if [ "$name" = large ]; then
    limit=$(( 80 * 1024 + 64 * bytes / 1024 ))
    if [ "$rss" -gt "$limit" ]; then
      echo "FAIL: peak RSS ${rss} KB is over the bound of ${limit} KB (80 MB + 64 x input)" >&2
      fail=1
    fi
  fi
done
exit $fail
