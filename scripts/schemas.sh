#!/usr/bin/env bash
# Regenerates schemas/kubernetes.json.gz from k8s-openapi, or with --check proves that the
# committed bundle is exactly what the generator produces.
#
# k8s-openapi compiles one Kubernetes version per build, so the generator is built once per
# version (each build is cached separately in target/); packing needs no k8s-openapi at all.
set -euo pipefail
cd "$(dirname "$0")/.."
check=()
if [ "${1:-}" = "--check" ]; then check=(--check); fi

dumps="$(mktemp -d)"
trap 'rm -rf "$dumps"' EXIT
for version in 1.33 1.34 1.35 1.36 1.37; do
  feature="v${version/./_}"
  echo "== k8s-openapi $version"
  cargo run --quiet -p kubelint-schemagen --features "$feature" -- dump "$dumps/$version.json"
done
cargo run --quiet -p kubelint-schemagen -- pack "$dumps" schemas "${check[@]}"
