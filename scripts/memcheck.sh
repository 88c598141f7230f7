#!/usr/bin/env bash
# Runs `skein mirror add` and `skein mirror sync` in a loop under AddressSanitizer, the ways the
# `malloc_consolidate(): invalid chunk size` aborts were met, and stops at the first crash or
# sanitizer report. Each iteration has two rounds, each on a fresh mirrors directory:
#   - one process: `mirror add` of 4 upstreams at once (--jobs 4), then `mirror sync`;
#   - three processes: three `mirror add`s of the same 4 upstreams (each its own order) started
#     together onto one mirrors directory, racing for the same mirrors, then `mirror sync`.
#     The aborts came back only this way, in the window where a process ends.
#   scripts/memcheck.sh [ITERATIONS]        (default 10000)
# SKEIN=path uses a given binary instead of building one with -sanitize=address in .build-asan.
# MEMCHECK_ROUNDS=single or =concurrent runs only that round (default: both).
# A crash, a sanitizer or allocator report, or an exit code of 2 or more in any process fails the
# script with that process's stderr. Exit 1 (some mirror failed) is allowed, and its stderr shown.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iterations=${1:-10000}
rounds=${MEMCHECK_ROUNDS:-both}
case "$rounds" in single | concurrent | both) ;; *) echo "MEMCHECK_ROUNDS is single, concurrent or both" >&2; exit 2 ;; esac
if [ -z "${SKEIN:-}" ]; then
  (cd "$root" && swift build --sanitize=address --scratch-path "$root/.build-asan" --product skein >/dev/null)
  SKEIN="$(cd "$root" && swift build --sanitize=address --scratch-path "$root/.build-asan" --show-bin-path)/skein"
fi
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=memcheck GIT_AUTHOR_EMAIL=memcheck@example.invalid
export GIT_COMMITTER_NAME=memcheck GIT_COMMITTER_EMAIL=memcheck@example.invalid
# Leaks are not what is hunted here (libgit2's global state lives until exit).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
# glibc's allocator aborts write to stderr, not to the terminal.
export LIBC_FATAL_STDERR_=1
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
up=("$work"/up1.git "$work"/up2.git "$work"/up3.git "$work"/up4.git)

adds=0 syncs=0 partial=0
# check STEP CODE ERRFILE: fails the script on a crash or a report, tells of an exit 1.
check() {
  if [ "$2" -ge 2 ] || grep -qE "Sanitizer|malloc|free\(\)|double free|corrupt|Fatal error|Program crashed" "$3"; then
    echo "memcheck: iteration $iteration, $1: exit $2" >&2
    head -150 "$3" >&2
    exit 1
  fi
  if [ "$2" -eq 1 ]; then
    partial=$((partial + 1))
    echo "memcheck: iteration $iteration, $1: exit 1 (allowed):" >&2
    head -10 "$3" >&2
  fi
}

for iteration in $(seq 1 "$iterations"); do
  if [ "$rounds" != concurrent ]; then
    rm -rf "$work/mirrors"
    code=0; "$SKEIN" mirror add --mirrors "$work/mirrors" --jobs 4 "${up[@]}" >"$work/out" 2>"$work/err" || code=$?
    adds=$((adds + 1)); check "mirror add" "$code" "$work/err"
    code=0; "$SKEIN" mirror sync --mirrors "$work/mirrors" --jobs 4 >"$work/out" 2>"$work/err" || code=$?
    syncs=$((syncs + 1)); check "mirror sync" "$code" "$work/err"
  fi
  if [ "$rounds" != single ]; then
    rm -rf "$work/mirrors"
    pids=()
    for p in 0 1 2; do
      # Each process its own order of the same upstreams, so they meet on every mirror.
      order=("${up[@]:p}" "${up[@]:0:p}")
      "$SKEIN" mirror add --mirrors "$work/mirrors" --jobs 4 "${order[@]}" >"$work/out$p" 2>"$work/err$p" &
      pids+=($!)
    done
    codes=()
    for p in 0 1 2; do code=0; wait "${pids[$p]}" || code=$?; codes+=("$code"); done
    for p in 0 1 2; do
      adds=$((adds + 1)); check "mirror add (process $((p + 1)) of 3 at once)" "${codes[$p]}" "$work/err$p"
    done
    code=0; "$SKEIN" mirror sync --mirrors "$work/mirrors" --jobs 4 >"$work/out" 2>"$work/err" || code=$?
    syncs=$((syncs + 1)); check "mirror sync after 3 adds at once" "$code" "$work/err"
  fi
  if [ $((iteration % 100)) -eq 0 ]; then echo "memcheck: $iteration iterations ($adds adds, $syncs syncs), no report"; fi
done
echo "memcheck: $iterations iterations, $adds mirror adds and $syncs mirror syncs ($partial exits 1), no report"
