#!/usr/bin/env bash
# Hardening run over the real Swift package repositories this machine keeps for package
# resolution (found through git's url.<base>.insteadOf settings): mirror them all, discover, and
# dry-run an explicit migration that renames a common symbol everywhere. Requires: no crash, no
# hang, every repo either processed or skipped with a reason.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
skein="$(cd "$root" && swift build --show-bin-path)/skein"
work=${REAL_REPOS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/skein-real-XXXXXX")}
limit=${TIMEOUT:-1800}
mkdir -p "$work"

base=$(git config --get-regexp '^url\..*\.insteadof$' 2>/dev/null | awk '$2 == "https://github.com/" { print $1 }' | head -1 \
  | sed 's/^url\.//; s/\.insteadof$//')
if [ -z "$base" ] || [ ! -d "$base" ]; then
  echo "real-repos: this machine keeps no local package repositories (no url.<base>.insteadOf for https://github.com/)" >&2
  exit 2
fi
mapfile -t sources < <(find "$base" -mindepth 2 -maxdepth 2 -name '*.git' -type d | sort -f | awk -F/ '!seen[tolower($NF)]++')
echo "real-repos: ${#sources[@]} repositories"

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=skein GIT_AUTHOR_EMAIL=skein@localhost GIT_COMMITTER_NAME=skein GIT_COMMITTER_EMAIL=skein@localhost
s=$(date +%s)
timeout "$limit" "$skein" mirror add --mirrors "$work/mirrors" --jobs 8 "${sources[@]}" > "$work/mirror.log" 2>&1 || true
echo "mirrored in $(( $(date +%s) - s ))s: $(ls "$work/mirrors" | grep -c '\.git$') mirrors ($(grep -c 'error' "$work/mirror.log" || true) errors)"

mkdir -p "$work/registry/migrations"
cat > "$work/registry/migrations/logger-rename.yaml" <<'YAML'
id: logger-rename
description: Rename the Logger type across the fleet (hardening run, never committed)
datasets: [all]
rules:
  - renameType: { from: Logger, to: AppLogger }
  - renameMember: { type: Logger, from: info, to: notice, kind: method }
YAML
git -C "$work/registry" init -q -b main && git -C "$work/registry" add -A && git -C "$work/registry" commit -qm "hardening migration"

s=$(date +%s)
set +e
timeout "$limit" "$skein" run --registry "$work/registry" --mirrors "$work/mirrors" \
  --migration "$work/registry/migrations/logger-rename.yaml" --dry-run --jobs 4 > "$work/run.log" 2> "$work/run.err"
code=$?
set -e
echo "dry run in $(( $(date +%s) - s ))s, exit $code (124 = hang)"
processed=$(grep -cE '^[^ ]+: (dry run: |error)' "$work/run.log" || true)
skipped=$(grep -c 'skipped:' "$work/run.err" || true)
echo "processed: $processed, skipped with a reason: $skipped, errors: $(grep -cE '^[^ ]+: error' "$work/run.log" || true)"
grep -E '^[^ ]+: error' "$work/run.log" | head -20 || true
if [ "$code" -ge 2 ]; then echo "real-repos: FAILED (exit $code); logs in $work" >&2; exit 1; fi
echo "logs in $work"
