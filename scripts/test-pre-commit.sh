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
# What an ordinary repository holds besides manifests: pre-commit names every staged YAML and
# JSON file, and the hook must pass over all of them without an `exclude:` list.
mkdir -p .github/workflows chart/templates
cat > .github/workflows/ci.yml <<'YAML'
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
YAML
cat > docker-compose.yml <<'YAML'
services:
  web:
    image: example/web:1
    ports: ["8080:8080"]
YAML
echo '{"name": "web", "version": "1.0.0"}' > package.json
cat > .pre-commit-config.yaml <<'YAML'
repos:
  - repo: local
    hooks:
      - id: nothing
        name: nothing
        entry: "true"
        language: system
YAML
cat > chart/Chart.yaml <<'YAML'
apiVersion: v2
name: web
version: 0.1.0
YAML
cat > chart/values.yaml <<'YAML'
replicaCount: 2
image: {repository: example/web, tag: "1"}
YAML
cat > chart/templates/deployment.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          {{- with .Values.resources }}
          resources: {{ toYaml . | nindent 12 }}
          {{- end }}
YAML
cat > .kubelint.yaml <<'YAML'
fail-on: warning
ignore: [missing-liveness-probe]
YAML
echo '{"kubelint_baseline": 1, "findings": []}' > kubelint-baseline.json
others=(.github/workflows/ci.yml docker-compose.yml package.json .pre-commit-config.yaml
        chart/Chart.yaml chart/values.yaml chart/templates/deployment.yaml .kubelint.yaml
        kubelint-baseline.json)
git add good.yaml bad.yaml "${others[@]}"

# Each try-repo builds kubelint anew (its shadow clone is a new repository to pre-commit's
# cache), so the runs are few: nothing-but-good must pass, a bad manifest must fail. That the
# hook passes when only non-manifests are staged is tested in tests/cli.rs
# (only_manifests_skips_what_pre_commit_names_that_is_not_a_manifest).
if pre-commit try-repo "$checkout" kubelint --files good.yaml "${others[@]}" > good.log 2>&1; then
  echo "pre-commit hook passes on good.yaml beside workflows, compose, package.json, a Helm chart and kubelint's own files"
else
  cat good.log; echo "FAIL: the hook failed on a good manifest or on files that are not manifests" >&2; exit 1
fi
if pre-commit try-repo "$checkout" kubelint --files bad.yaml "${others[@]}" > bad.log 2>&1; then
  cat bad.log; echo "FAIL: the hook passed on a bad manifest" >&2; exit 1
fi
if ! grep -q 'error\[probe-unknown-port\]' bad.log || ! grep -q 'bad.yaml:13:39' bad.log; then
  cat bad.log; echo "FAIL: the hook's output lacks the rule id or the position" >&2; exit 1
fi
if grep -q 'invalid-manifest\|invalid-yaml' bad.log; then
  cat bad.log; echo "FAIL: the hook reported a file that is not a manifest" >&2; exit 1
fi
echo "pre-commit hook fails on bad.yaml with probe-unknown-port at bad.yaml:13:39, and only on it"
