#!/usr/bin/env bash
# The GitHub Action's run step (action.yml): lint once for the log (annotations by default),
# once for the SARIF file, once for the job summary. The step's exit status is the first run's.
set -uo pipefail
kubelint="${KUBELINT_BIN:-$HOME/.kubelint-action/bin/kubelint}"
read -r -a paths <<< "${INPUT_PATH:-.}"
[ ${#paths[@]} -gt 0 ] || paths=(.)
common=()
[ -n "${INPUT_CONFIG:-}" ] && common+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_KUBERNETES_VERSION:-}" ] && common+=(--kubernetes-version "$INPUT_KUBERNETES_VERSION")
# --new-from-rev: `auto` is the pull request's base commit, when there is a pull request.
rev="${INPUT_NEW_FROM_REV:-auto}"
[ "$rev" = auto ] && rev="${PULL_REQUEST_BASE_SHA:-}"
[ "$rev" = none ] && rev=""
if [ -n "$rev" ]; then
  # actions/checkout fetches one commit by default: fetch the base too, or say why not.
  if ! git cat-file -e "$rev^{commit}" 2>/dev/null; then
    git fetch --no-tags --quiet --depth=1 origin "$rev" 2>/dev/null ||
      echo "::warning::kubelint: cannot fetch $rev; use fetch-depth: 0 in actions/checkout"
  fi
  common+=(--new-from-rev "$rev")
fi

"$kubelint" check "${paths[@]}" "${common[@]}" --format "${INPUT_FORMAT:-github}" --fail-on "${INPUT_FAIL_ON:-warning}" --color never
status=$?
# A usage or I/O error (2) is reported by the first run; the others would only repeat it.
if [ "$status" -le 1 ]; then
  if [ -n "${INPUT_SARIF_FILE:-}" ]; then
    "$kubelint" check "${paths[@]}" "${common[@]}" --format sarif --output "$INPUT_SARIF_FILE" --fail-on never
    [ -n "${GITHUB_OUTPUT:-}" ] && echo "sarif-file=$INPUT_SARIF_FILE" >> "$GITHUB_OUTPUT"
  fi
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    "$kubelint" check "${paths[@]}" "${common[@]}" --format markdown --fail-on never >> "$GITHUB_STEP_SUMMARY"
  fi
fi
exit "$status"
