#!/usr/bin/env bash
# Runs `skein mirror add` and `skein mirror sync` in a loop under AddressSanitizer, the way the
# `malloc_consolidate(): invalid chunk size` aborts were met (4 upstreams at once, --jobs 4), and
# stops at the first crash or sanitizer report.
#   scripts/memcheck.sh [ITERATIONS]        (default 10000; each iteration is one add and one sync)
# SKEIN=path uses a given binary instead of building one with -sanitize=address in .build-asan.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iterations=${1:-10000}
if [ -z "${SKEIN:-}" ]; then
  (cd "$root" && swift build --sanitize=address --scratch-path "$root/.build-asan" --product skein >/dev/null)
  SKEIN="$(cd "$root" && swift build --sanitize=address --scratch-path "$root/.build-asan" --show-bin-path)/skein"
fi
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=memcheck GIT_AUTHOR_EMAIL=memcheck@example.invalid
export GIT_COMMITTER_NAME=memcheck GIT_COMMITTER_EMAIL=memcheck@example.invalid
# Leaks are not what is hunted here (libgit2's global state lives until exit).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
work=$(mktemp -d "${TMPDIR:-/tmp}/skein-memcheck-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Four upstreams with a few commits, a tag and a ledger note each.
for i in 1 2 3 4; do
  src="$work/src$i"
  git init -q -b main "$src"
  for n in 1 2 3; do echo "line $n" >> "$src/file.txt"; git -C "$src" add -A; git -C "$src" commit -qm "commit $n"; done
  git -C "$src" tag v1
  git -C "$src" notes --ref=skein add -m '{"status":"tests-passed"}' HEAD
  git clone -q --bare "$src" "$work/up$i.git"
  git -C "$src" push -q "$work/up$i.git" refs/notes/skein
done

failures=0
for iteration in $(seq 1 "$iterations"); do
  rm -rf "$work/mirrors"
  for step in add sync; do
    if [ "$step" = add ]; then
      args=(mirror add --mirrors "$work/mirrors" --jobs 4 "$work"/up1.git "$work"/up2.git "$work"/up3.git "$work"/up4.git)
    else
      args=(mirror sync --mirrors "$work/mirrors" --jobs 4)
    fi
    code=0
    "$SKEIN" "${args[@]}" >"$work/out" 2>"$work/err" || code=$?
    if [ "$code" -ge 2 ] || grep -qE "AddressSanitizer|malloc|double free|corrupted|Fatal error" "$work/err"; then
      failures=$((failures + 1))
      echo "iteration $iteration ($step): exit $code" >&2
      head -60 "$work/err" >&2
      exit 1
    fi
  done
  if [ $((iteration % 100)) -eq 0 ]; then echo "memcheck: $iteration iterations, no report"; fi
done
echo "memcheck: $iterations iterations of mirror add + mirror sync, no report"
