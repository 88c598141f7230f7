#!/usr/bin/env bash
# make bench: figures measured side by side in one run, each pair alternated ROUNDS times,
# medians reported (this machine is shared and noisy: the ratios are what hold). Prints a table
# and writes bench/results.json. Sizes can be set: MIRRORS=200 DISCOVER=1000 CONSUMERS=20 FILES=200
# PAGE=2000 (consumers for the status page) SCALE="250 1000 2000" FILES_SCALE=10; FIGURES picks
# some of: sync discover rewrite run worker sandbox index memory page scale (default: all).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# The binary `make release` builds (swift-syntax package, its own scratch directory).
bin=$(cd "$root" && SKEIN_SWIFT_SYNTAX=package swift build -c release --scratch-path "$root/.build-release" --show-bin-path)
skein="$bin/skein"
bench="$bin/skein-bench"
rounds=${ROUNDS:-3}
mirrors_n=${MIRRORS:-200}
discover_n=${DISCOVER:-1000}
consumers_n=${CONSUMERS:-20}
files_n=${FILES:-200}
jobs=${JOBS:-4}
work=${BENCH_DIR:-$root/bench/work}
page_n=${PAGE:-2000}
figures=${FIGURES:-sync discover rewrite run worker sandbox index memory page scale}
wants() { [[ " $figures " == *" $1 "* ]]; }
# No user configuration, and an identity of its own: both sides commit and add notes.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
rm -rf "$work" && mkdir -p "$work"
results="$work/results.jsonl"
: > "$results"

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.4f}')" "$1" "$2"; }
# Prints the seconds a command took; a command failing with exit 2 or more (1 means "done, some
# consumer needs a look" for skein) is reported, so a broken side never passes for a fast one.
time_of() {
  local s e code=0
  s=$(now); "$@" >/dev/null 2>"$work/last.err" || code=$?; e=$(now)
  if [ "$code" -ge 2 ]; then echo "bench: '$*' failed with $code: $(tail -3 "$work/last.err")" >&2; fi
  elapsed "$s" "$e"
}
record() { echo "$1" >> "$results"; }
median() { python3 -c "import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); swift $(swift --version 2>&1 | head -1 | sed 's/.*version //; s/ .*//')"

# 1. mirror sync of N upstreams: skein mirror sync vs a git fetch loop, each after a new commit
#    in every upstream.
SKEIN_FLEET_TEST_COMMAND=true "$root/fixtures/make-fleet.sh" "$work/fixture" >/dev/null
registry="$work/fixture/registry"

if wants sync; then
echo "== mirror sync of $mirrors_n upstreams"
python3 "$root/bench/generate.py" fleet "$work/up" "$mirrors_n" 5
"$skein" mirror add --mirrors "$work/m-skein" --jobs 8 "$work"/up/*.git >/dev/null
mkdir -p "$work/m-git"
for repo in "$work"/up/*.git; do git clone -q --mirror "$repo" "$work/m-git/$(basename "$repo")"; done
a=(); b=()
for round in $(seq 1 "$rounds"); do
  python3 "$root/bench/generate.py" commit "$work/up" "$round"
  a+=("$(time_of "$skein" mirror sync --mirrors "$work/m-skein" --jobs 8)")
  b+=("$(time_of bash -c 'for m in "$0"/*.git; do git -C "$m" fetch -q --prune origin; done' "$work/m-git")")
done
record "{\"figure\": \"mirror sync of $mirrors_n upstreams\", \"skein_s\": $(median "${a[@]}"), \"baseline_s\": $(median "${b[@]}"), \"baseline\": \"git fetch loop (one at a time; skein: --jobs 8)\", \"goal\": \"<= 0.5\"}"

fi

# 2. discover over N mirrors vs a git CLI loop reading the descriptor and grepping the location.
if wants discover || wants memory; then
python3 "$root/bench/generate.py" fleet "$work/disc" "$discover_n" 3
fi
if wants discover; then
echo "== discover over $discover_n mirrors"
a=(); b=()
for round in $(seq 1 "$rounds"); do
  a+=("$(time_of "$skein" discover --registry "$registry" --mirrors "$work/disc" plays --json)")
  b+=("$(time_of bash -c 'for m in "$0"/*.git; do git -C "$m" show HEAD:catalog-info.yaml 2>/dev/null | grep -q "resource:.*plays"; git -C "$m" grep -q -F "gs://listening-data/plays/v1" HEAD; done' "$work/disc")")
done
record "{\"figure\": \"discover over $discover_n mirrors\", \"skein_s\": $(median "${a[@]}"), \"baseline_s\": $(median "${b[@]}"), \"baseline\": \"git show + git grep loop\", \"goal\": \"<= 0.25\"}"

fi

# 3. Rewrite throughput over swift-syntax's own sources vs parse-only, in-process.
if wants rewrite; then
echo "== rewrite throughput"
# Cloned by its public URL with the machine's git configuration (which may serve it locally).
if env -u GIT_CONFIG_GLOBAL -u GIT_CONFIG_NOSYSTEM git clone -q --branch 603.0.1 https://github.com/swiftlang/swift-syntax "$work/swift-syntax" 2>/dev/null; then
  line=$("$bench" rewrite "$work/swift-syntax/Sources" Syntax SourceLocationConverter)
  record "$(python3 -c "import json,sys; d=json.loads(sys.argv[1]); d['figure']='rewrite lines/s, all files affected'; d['ratio']=d['dense_lines_per_s']/d['dense_parse_lines_per_s']; d['goal']='>= 0.8'; print(json.dumps(d))" "$line")"
else
  echo "swift-syntax sources not available; skipped"
fi

fi

# The git CLI + sed side of the whole-run figures: the textual version of skein's edits, one
# worktree per affected consumer, a commit and a note, with the same parallelism. Usage:
# cli_pipeline MIRRORS JOBS (worktrees go beside MIRRORS, in cli-wt).
cli_pipeline() {
  bash -c '
    ls "$0" | grep "\.git$" | xargs -P "$1" -I{} bash -c "
      m=\"$0/{}\"; wt=\"$0/../cli-wt/{}\"
      git -C \"\$m\" grep -q -e track_id -e gs://listening-data/plays/v1 main || exit 0
      git -C \"\$m\" worktree add -q -b skein/plays-v2 \"\$wt\" main
      grep -rlw --include=*.swift track_id \"\$wt\" | xargs -r sed -i \"s/\\btrack_id\\b/track_uri/g; s/ms_played: Int32/ms_played: Int64/\"
      grep -rl gs://listening-data/plays/v1 \"\$wt\" | xargs -r sed -i \"s#gs://listening-data/plays/v1#gs://listening-data/plays/v2#g\"
      git -C \"\$wt\" add -A && git -C \"\$wt\" commit -qm \"plays-v2\"
      git -C \"\$m\" notes --ref=skein add -m \"{\\\"status\\\":\\\"tests-passed\\\"}\" skein/plays-v2
      git -C \"\$m\" worktree remove --force \"\$wt\"
    "' "$1" "$2"
}
# How many mirrors of a directory got a noted skein/plays-v2 branch: both sides must have done the work.
branches() { local n=0 m; for m in "$1"/*.git; do git -C "$m" notes --ref=skein show skein/plays-v2 >/dev/null 2>&1 && n=$((n + 1)); done; echo "$n"; }

# 4. Whole run per consumer (tests = true, no sandbox) vs a git CLI + sed pipeline doing the
#    textual version of the same edits with the same parallelism.
if wants run; then
echo "== whole run over $consumers_n consumers x $files_n files"
python3 "$root/bench/generate.py" fleet "$work/run-src" "$consumers_n" "$files_n"
a=(); b=()
for round in $(seq 1 "$rounds"); do
  rm -rf "$work/run-skein" "$work/run-cli"; cp -a "$work/run-src" "$work/run-skein"; cp -a "$work/run-src" "$work/run-cli"
  a+=("$(time_of "$skein" run --registry "$registry" --mirrors "$work/run-skein" --sandbox none --jobs "$jobs")")
  b+=("$(time_of cli_pipeline "$work/run-cli" "$jobs")")
done
# Both sides must have done the work: the same number of migration branches, each with a note.
skein_branches=$(branches "$work/run-skein"); cli_branches=$(branches "$work/run-cli")
if [ "$skein_branches" -eq 0 ] || [ "$skein_branches" != "$cli_branches" ]; then
  echo "bench: whole run made $skein_branches noted branches with skein, $cli_branches with the git CLI" >&2
fi
record "{\"figure\": \"whole run per consumer, tests = true ($consumers_n consumers x $files_n files)\", \"skein_s\": $(median "${a[@]}"), \"baseline_s\": $(median "${b[@]}"), \"baseline\": \"git CLI + sed pipeline, same parallelism\", \"goal\": \"<= 1.0\"}"

fi

# 4b. What planning each consumer in a kept `skein plan-worker` process costs (job encoded and
#     sent, plan decoded) against planning in skein's process, per consumer; and what starting
#     a worker costs, which each worker's first consumer pays.
if wants run || wants worker; then
echo "== rewrite worker per consumer"
line=$("$bench" worker "$skein" "$root/fixtures/fleet/consumers/top-tracks" 20 || echo '{}')
record "$(python3 -c "import json,sys; d=json.loads(sys.argv[1] or '{}'); d['figure']='plan one consumer in a kept worker (top-tracks)'; d['goal']='whole run ratio stays <= 1.0'; print(json.dumps(d))" "$line")"

fi

# 5. Warm vs cold sandboxed swift test of one consumer after a one-line change.
if wants sandbox; then
echo "== warm vs cold swift test"
rm -rf "$work/consumer" && cp -R "$root/fixtures/fleet/consumers/top-tracks" "$work/consumer"
line=$("$bench" sandbox "$work/consumer" || echo '{}')
record "$(python3 -c "import json,sys; d=json.loads(sys.argv[1] or '{}'); d['figure']='warm vs cold swift test'; d['goal']='<= 0.33'; print(json.dumps(d))" "$line")"

fi

# 7. The compiler index: what reading the store and planning with it add per consumer, against
#    the base build that writes it (a cold `swift build --build-tests` of a small package).
if wants index; then
echo "== compiler index read + look-up vs the base build"
rm -rf "$work/indexed" && cp -R "$root/fixtures/index/Shapes/input" "$work/indexed"
build_s=$(time_of swift build --build-tests --package-path "$work/indexed")
store=$(ls -d "$work"/indexed/.build/*/debug/index/store | head -1)
line=$("$bench" index "$work/indexed" "$bin/skein-index" "$store" 5 || echo '{}')
record "$(python3 -c "import json,sys; d=json.loads(sys.argv[1] or '{}'); d['figure']='compiler index read + plan per consumer vs base build'; d['skein_s']=d.get('index_s', 0); d['baseline_s']=float(sys.argv[2]); d['baseline']='cold swift build --build-tests'; d['goal']='<= 0.05'; print(json.dumps(d))" "$line" "$build_s")"
fi

# 6. Peak memory of skein over N consumers (dry run: rewrites planned, nothing written).
if wants memory; then
echo "== peak memory over $discover_n mirrors"
peak=$(python3 - "$skein" "$registry" "$work/disc" <<'PY'
import resource, subprocess, sys
subprocess.run([sys.argv[1], "run", "--registry", sys.argv[2], "--mirrors", sys.argv[3], "--dry-run", "--jobs", "4"],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
PY
)
record "{\"figure\": \"peak memory of skein, $discover_n mirrors (run --dry-run)\", \"peak_mb\": $peak, \"goal\": \"<= 200 MB\"}"
fi

# 7. The status page of a large fleet: how long `status --html` takes (ledgers and diffs read from
#    every mirror), how big the page is, and how long headless Chromium takes to load and lay it
#    out (from navigation to the frame's load event; needs chromium on PATH).
if wants page; then
echo "== status page of $page_n consumers"
python3 "$root/bench/generate.py" reviewed "$work/page" "$page_n"
a=()
for round in $(seq 1 "$rounds"); do a+=("$(time_of "$skein" status --mirrors "$work/page" --html "$work/page.html")"); done
size=$(stat -c %s "$work/page.html")
render=null
if command -v chromium >/dev/null; then
  cat > "$work/page-probe.html" <<'HTML'
<!doctype html><html><body><pre id="t"></pre><iframe id="f" style="width:1400px;height:1000px" src="page.html"></iframe>
<script>var s = performance.now(); document.getElementById('f').onload = function () {
  var d = this.contentDocument; document.getElementById('t').textContent = 'ms=' + Math.round(performance.now() - s) +
  ' consumers=' + (d ? d.querySelectorAll('article.c').length : -1); };</script></body></html>
HTML
  r=()
  for round in $(seq 1 "$rounds"); do
    out=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
      --user-data-dir="$work/chromium" --dump-dom "file://$work/page-probe.html" 2>/dev/null | grep -o 'ms=[0-9]* consumers=[0-9-]*' || true)
    echo "   chromium: $out"
    r+=("${out#ms=}"); r[-1]=${r[-1]%% *}
  done
  render=$(median "${r[@]}")
fi
record "{\"figure\": \"status page of $page_n consumers\", \"status_html_s\": $(median "${a[@]}"), \"page_mb\": $(python3 -c "print(round($size / 1048576, 2))"), \"render_ms\": $render, \"goal\": \"opens at once\"}"
fi

# 8. The whole run at fleet scale (tests = true, no sandbox): skein against the git CLI + sed
#    pipeline at each of SCALE consumers (default 250 1000 2000; 40% of them affected, FILES_SCALE
#    Swift files each), with skein's user and system time, blocks written and peak memory.
#    Every copy is synced to disk before it is timed, so neither side pays for the copy's writeback.
if wants scale; then
scale_sizes=${SCALE:-250 1000 2000}
scale_files=${FILES_SCALE:-10}
largest=$(printf '%s\n' $scale_sizes | sort -n | tail -1)
echo "== whole run at scale: $scale_sizes consumers x $scale_files files"
python3 "$root/bench/generate.py" fleet "$work/scale-all" "$largest" "$scale_files"
for n in $scale_sizes; do
  rm -rf "$work/scale-src" && mkdir -p "$work/scale-src"
  for repo in $(ls "$work/scale-all" | sort | head -n "$n"); do cp -a "$work/scale-all/$repo" "$work/scale-src/"; done
  a=(); b=(); usage=()
  for round in $(seq 1 "$rounds"); do
    rm -rf "$work/run-skein" "$work/run-cli" "$work/cli-wt"
    cp -a "$work/scale-src" "$work/run-skein"; cp -a "$work/scale-src" "$work/run-cli"; sync
    line=$(python3 - "$skein" run --registry "$registry" --mirrors "$work/run-skein" --sandbox none --jobs "$jobs" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.monotonic() - start
if code.returncode >= 2:
    print(f"bench: skein run failed with {code.returncode}: {code.stderr.decode()[-300:]}", file=sys.stderr)
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.4f} {use.ru_utime:.4f} {use.ru_stime:.4f} {use.ru_oublock} {use.ru_maxrss / 1024:.1f}")
PY
)
    a+=("${line%% *}"); usage+=("$line")
    sync
    b+=("$(time_of cli_pipeline "$work/run-cli" "$jobs")")
  done
  skein_branches=$(branches "$work/run-skein"); cli_branches=$(branches "$work/run-cli")
  if [ "$skein_branches" -eq 0 ] || [ "$skein_branches" != "$cli_branches" ]; then
    echo "bench: at $n consumers skein made $skein_branches noted branches, the git CLI $cli_branches" >&2
  fi
  record "$(python3 - "$n" "$skein_branches" "$(median "${a[@]}")" "$(median "${b[@]}")" "${usage[@]}" <<'PY'
import json, statistics, sys
n, affected, skein_s, cli_s = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rounds = [[float(x) for x in line.split()] for line in sys.argv[5:]]
med = lambda i: statistics.median(r[i] for r in rounds)
print(json.dumps({
    "figure": f"whole run at {n} consumers ({affected} affected), tests = true", "scale": n, "affected": affected,
    "skein_s": skein_s, "baseline_s": cli_s, "baseline": "git CLI + sed pipeline, same parallelism",
    "per_consumer_ms": skein_s / n * 1000, "user_ms_per_consumer": med(1) / n * 1000,
    "system_ms_per_consumer": med(2) / n * 1000, "written_kb_per_consumer": med(3) * 512 / 1024 / n,
    "peak_mb": max(r[4] for r in rounds), "goal": "<= 1.0 at the largest; per consumer within 15%"}))
PY
)"
done
fi

python3 - "$results" "$root/bench/results.json" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
json.dump(rows, open(sys.argv[2], "w"), indent=2)
print()
print(f"| {'figure':<58} | {'skein':>10} | {'compared with':>12} | {'ratio':>6} | goal |")
print(f"|{'-'*60}|{'-'*12}|{'-'*14}|{'-'*8}|------|")
for r in rows:
    if "scale" in r:
        ratio = r["skein_s"] / r["baseline_s"] if r["baseline_s"] else float("nan")
        print(f"| {r['figure']:<58} | {r['skein_s']:>9.2f}s | {r['baseline_s']:>11.2f}s | {ratio:>6.2f} | <= 1.0 |")
    elif "skein_s" in r:
        ratio = r["skein_s"] / r["baseline_s"] if r["baseline_s"] else float("nan")
        print(f"| {r['figure']:<58} | {r['skein_s']:>9.2f}s | {r['baseline_s']:>11.2f}s | {ratio:>6.2f} | {r['goal']} |")
    elif "ratio" in r and "parse_lines_per_s" in r:
        print(f"| {r['figure']:<58} | {r['dense_lines_per_s']:>8.0f}/s | {r['dense_parse_lines_per_s']:>10.0f}/s | {r['ratio']:>6.2f} | {r['goal']} |")
        sparse = r['sparse_lines_per_s'] / r['parse_lines_per_s']
        label = f"rewrite lines/s, sparse ({r['sparse_files_edited']} of {r['files']} files edited)"
        print(f"| {label:<58} | {r['sparse_lines_per_s']:>8.0f}/s | {r['parse_lines_per_s']:>10.0f}/s | {sparse:>6.2f} | many times parse-only |")
    elif "cold_s" in r:
        print(f"| {r['figure']:<58} | {r['warm_s']:>9.1f}s | {r['cold_s']:>11.1f}s | {r['ratio']:>6.2f} | {r['goal']} |")
    elif "page_mb" in r:
        rendered = f"{r['render_ms']:.0f} ms to load" if r.get("render_ms") is not None else "no chromium"
        print(f"| {r['figure']:<58} | {r['status_html_s']:>9.2f}s | {r['page_mb']:>9.1f} MB | {'':>6} | {rendered} |")
    elif "consumer_kept_worker_s" in r:
        print(f"| {r['figure']:<58} | {r['consumer_kept_worker_s']*1000:>8.1f}ms | {r['consumer_in_process_s']*1000:>10.1f}ms | {'':>6} | {r['goal']} |")
        label = "  empty consumer: kept worker / new worker"
        print(f"| {label:<58} | {r['empty_kept_worker_s']*1000:>8.1f}ms | {r['empty_new_worker_s']*1000:>10.1f}ms | {'':>6} | |")
    elif "peak_mb" in r:
        print(f"| {r['figure']:<58} | {r['peak_mb']:>8.0f}MB | {'':>12} | {'':>6} | {r['goal']} |")
scale = [r for r in rows if "scale" in r]
if scale:
    print("\nper consumer at scale (skein, whole run / consumers):")
    for r in scale:
        print(f"  {r['scale']:>5} consumers: {r['per_consumer_ms']:6.2f} ms (user {r['user_ms_per_consumer']:.2f}, system {r['system_ms_per_consumer']:.2f}),"
              f" {r['written_kb_per_consumer']:.0f} KB written, peak {r['peak_mb']:.0f} MB")
    costs = [r["per_consumer_ms"] for r in scale]
    largest = max(scale, key=lambda r: r["scale"])
    spread = max(costs) / min(costs)
    cpu = [r["user_ms_per_consumer"] + r["system_ms_per_consumer"] for r in scale]
    # On a shared machine the wall time follows the neighbours' load; the processor time
    # skein itself spent per consumer does not.
    print(f"  spread of wall time per consumer {spread:.2f}, of processor time per consumer {max(cpu) / min(cpu):.2f} (goal <= 1.15);"
          f" ratio to the CLI pipeline at {largest['scale']}: {largest['skein_s'] / largest['baseline_s']:.2f} (goal <= 1.0)")
print(f"\nwritten: {sys.argv[2]}")
PY
