#!/usr/bin/env bash
# What each pod of the Indexed Job in job.yaml runs: clone the registry, mirror only this pod's
# share of the consumers, migrate that share, push its branches and ledger. The image built by
# deploy/Containerfile installs it as /usr/local/bin/skein-pod; a test plays the whole Job on one
# machine by running it once per index.
#
# Environment:
#   JOB_COMPLETION_INDEX  this pod's index, 0..SHARDS-1 (Kubernetes sets it in an Indexed Job)
#   SHARDS                how many pods share the fleet (the Job's `completions`)
#   SKEIN_SETTINGS        the ConfigMap's folder: registry-url, consumers.txt, skein.yaml
#                         (default /etc/skein)
#   SKEIN_WORK            where the registry clone and the mirrors go (default /var/lib/skein)
#   SKEIN_MIGRATION       optional: an explicit migration file in the registry (run --migration)
#   SKEIN_RUN_ARGS        optional: more arguments for `skein run` (default: --jobs 4 --test-jobs 2)
#   SKEIN_PUSH_MAX        optional: push at most this many new branches (push --max)
set -euo pipefail
index=${JOB_COMPLETION_INDEX:?JOB_COMPLETION_INDEX is not set (the Job must be completionMode: Indexed)}
shards=${SHARDS:?SHARDS is not set (the number of pods sharing the fleet)}
settings=${SKEIN_SETTINGS:-/etc/skein}
work=${SKEIN_WORK:-/var/lib/skein}
registry=$work/registry
mirrors=$work/mirrors
shard="$index/$shards"

# A container restarted in the same pod finds its volume as it left it: refresh, don't re-clone.
if [ -d "$registry/.git" ]; then
  git -C "$registry" pull -q --ff-only
else
  git clone -q "$(cat "$settings/registry-url")" "$registry"
fi
cp "$settings/skein.yaml" "$registry/skein.yaml"
mkdir -p "$mirrors"

# Only this pod's share is cloned: the same name hash as `run --shard`. An upstream that cannot
# be mirrored is reported and the others go on.
grep -v -e '^[[:space:]]*$' -e '^[[:space:]]*#' "$settings/consumers.txt" \
  | xargs -r skein mirror add --mirrors "$mirrors" --shard "$shard" \
  || echo "skein-pod: some upstreams could not be mirrored (above); going on with the others" >&2

plan_args=()
if [ -n "${SKEIN_MIGRATION:-}" ]; then plan_args=(--migration "$SKEIN_MIGRATION"); fi
# shellcheck disable=SC2086 # SKEIN_RUN_ARGS is a list of arguments
set +e
skein run --registry "$registry" --mirrors "$mirrors" --shard "$shard" "${plan_args[@]}" ${SKEIN_RUN_ARGS:---jobs 4 --test-jobs 2}
code=$?
set -e
# 0 and 1 both mean the run finished: its outcomes are in the ledger and get pushed. Anything
# else fails the pod, and the Job retries it; the ledger makes the retry resume, not redo.
if [ "$code" -gt 1 ]; then exit "$code"; fi

# Each migration of the plan: the lines of `skein plan` that start with an id.
ids=$(skein plan --registry "$registry" "${plan_args[@]}" | sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*\)  (schema commit.*/\1/p')
for id in $ids; do
  set +e
  skein push --mirrors "$mirrors" "$id" ${SKEIN_PUSH_MAX:+--max "$SKEIN_PUSH_MAX"}
  pushed=$?
  set -e
  # 2: no consumer of this migration in this pod's share.
  if [ "$pushed" -ne 0 ] && [ "$pushed" -ne 2 ]; then exit "$pushed"; fi
done
