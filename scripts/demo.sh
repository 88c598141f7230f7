#!/usr/bin/env bash
# The main job on the bundled fixture fleet: build the fleet as git repos, mirror it, show the
# plan and the consumers, migrate them (rewrites + sandboxed tests), and report.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
skein="$(cd "$root" && swift build --show-bin-path)/skein"
work=${SKEIN_DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/skein-demo-XXXXXX")}
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "fixture fleet in $work"
"$root/fixtures/make-fleet.sh" "$work"

step "skein mirror add"
"$skein" mirror add --mirrors "$work/mirrors" "$work"/upstreams/*.git

step "skein plan (the registry's last commit)"
"$skein" plan --registry "$work/registry"

step "skein discover plays"
"$skein" discover --registry "$work/registry" --mirrors "$work/mirrors" plays

step "skein run (tests run sandboxed in bubblewrap, before and after)"
set +e
"$skein" run --registry "$work/registry" --mirrors "$work/mirrors" --metrics "$work/metrics.json"
code=$?
set -e
echo "skein run exited with $code (1 = done, but some consumer needs attention: that is expected here)"

step "skein status"
"$skein" status --mirrors "$work/mirrors" || true
"$skein" status --mirrors "$work/mirrors" --html "$work/status.html" >/dev/null || true

cat <<TXT

Review the result with ordinary git:
  git -C $work/mirrors/top-tracks.git log --stat main..skein/plays-v2
  git -C $work/mirrors/top-tracks.git diff main skein/plays-v2
  git -C $work/mirrors/top-tracks.git notes --ref=skein show skein/plays-v2
  git -C $work/mirrors/dashboard.git notes --ref=skein show main      # not-affected: note on the base
Status page: $work/status.html   Metrics: $work/metrics.json
Run it again: nothing moves (idempotent).  Undo: $skein rollback --mirrors $work/mirrors plays-v2
TXT
