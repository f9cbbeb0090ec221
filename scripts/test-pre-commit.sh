#!/usr/bin/env bash
# Runs the pre-commit hook of this checkout against a throwaway repository, as a user would with
# `pre-commit try-repo`: it must fail on a bad manifest (naming the rule and position) and pass on
# a good one. Needs `pre-commit` (PyPI) and cargo.
set -euo pipefail
checkout="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
cd "$work"
git init -q repo && cd repo
git config user.email ci@example.com && git config user.name ci
cat > good.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: "0644"
YAML
cat > bad.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: example/web:1
      ports:
        - name: http
          containerPort: 8080
      readinessProbe:
        httpGet: {path: /ready, port: htp}
YAML
git add good.yaml bad.yaml

if pre-commit try-repo "$checkout" kubelint --files good.yaml > good.log 2>&1; then
  echo "pre-commit hook passes on good.yaml"
else
  cat good.log; echo "FAIL: the hook failed on a good manifest" >&2; exit 1
fi
if pre-commit try-repo "$checkout" kubelint --files bad.yaml > bad.log 2>&1; then
  cat bad.log; echo "FAIL: the hook passed on a bad manifest" >&2; exit 1
fi
if ! grep -q 'error\[probe-unknown-port\]' bad.log || ! grep -q 'bad.yaml:13:39' bad.log; then
  cat bad.log; echo "FAIL: the hook's output lacks the rule id or the position" >&2; exit 1
fi
echo "pre-commit hook fails on bad.yaml with probe-unknown-port at bad.yaml:13:39"
