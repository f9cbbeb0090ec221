#!/usr/bin/env bash
# Proves scripts/new-rule end to end, in a scratch copy of the crate: scaffolds a rule into an
# existing category and one into a new category, runs clippy on them as generated, does the
# author's part (docs, summary, a check, fixtures) and runs the rule tests (registry,
# metadata, docs, README, fixtures) there.
#
# The copy builds in the same target directory as this checkout, so only kubelint itself is
# compiled again. It sits at a fixed path outside any git repository (a parent's .gitignore
# would hide its fixtures from the directory walk), keyed on this checkout, so its build is
# reused from one run to the next.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
scratch="${TMPDIR:-/tmp}/kubelint-new-rule-$(printf %s "$root" | cksum | cut -d' ' -f1)"
rm -rf "$scratch"
mkdir -p "$scratch"
# The working tree as git sees it: tracked and new files, nothing ignored (no target/).
git ls-files -z --cached --others --exclude-standard \
  | tar --null --ignore-failed-read -T - -cf - 2>/dev/null \
  | tar -xf - -C "$scratch"
cd "$scratch"

scripts/new-rule demo-rule --category probes --severity info \
  --summary "A Deployment, reported to prove the scaffold."
scripts/new-rule demo-other-rule --category demo
echo "== new-rule: the scaffold as generated compiles, clippy-clean"
cargo clippy --quiet --all-targets -- -D warnings

# The author's part: the documentation and the summary, a check, and fixtures that trigger
# it and do not.
python3 - <<'PY'
import re
from pathlib import Path

for written in ["src/rules/probes/demo_rule.rs", "src/rules/demo/demo_other_rule.rs",
                "rules/rules.yaml", "README.md"]:
    path = Path(written)
    path.write_text(path.read_text().replace("TODO: ", ""))

check = """    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if object.kind == "Deployment"
            && let Some(kind) = object.root.get("kind")
        {
            out.push(Finding::new(kind, "a Deployment").help("prove the scaffold"));
        }
    }
"""
for source in ["src/rules/probes/demo_rule.rs", "src/rules/demo/demo_other_rule.rs"]:
    path = Path(source)
    text, n = re.subn(r"    fn check_object<'d>\(.*?\n    \}\n", lambda _: check, path.read_text(), flags=re.S)
    assert n == 1, source
    path.write_text(text)
for rule in ["demo-rule", "demo-other-rule"]:
    Path(f"fixtures/{rule}/pass-example.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: demo}\n"
    )
PY

echo "== new-rule: first run accepts the new snapshots and regenerates docs/rules.md"
INSTA_UPDATE=always KUBELINT_BLESS=1 cargo test --quiet --lib rules:: >/dev/null
test -f src/rules/snapshots/demo-rule@fail-example.snap
test -f src/rules/snapshots/demo-other-rule@fail-example.snap
echo "== new-rule: the rule tests pass as an author would commit them"
cargo test --quiet --lib rules::
echo "new-rule: scaffolded rules compile, lint clean and pass the rule tests"
