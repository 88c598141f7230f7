// The hook scripts skein installs. hooks/ holds the same text as files; a test keeps the two equal.

enum HookScripts {
    static let postCommit = #"""
#!/bin/sh
# skein: after a commit to the schema registry, start a migration run for any dataset or
# migration change in it. Returns at once; never blocks or fails the commit.
# A hook that was here before skein's is kept beside it and run first.
[ -x "$0.skein-chained" ] && "$0.skein-chained" "$@"
old=$(git rev-parse -q --verify HEAD^ 2>/dev/null || echo 0000000000000000000000000000000000000000)
new=$(git rev-parse -q --verify HEAD 2>/dev/null) || exit 0
skein=$(git config skein.binary 2>/dev/null || command -v skein)
[ -n "$skein" ] || exit 0
"$skein" trigger --registry "$(git rev-parse --show-toplevel)" "$old" "$new" >/dev/null 2>&1 </dev/null || true
exit 0
"""# + "\n"

    static let postReceive = #"""
#!/bin/sh
# skein: after a push to a bare schema registry, start a migration run for each update of its
# default branch that changes datasets or migrations. Never fails the push.
# A hook that was here before skein's is kept beside it and run first, with the same input.
input=$(cat)
[ -x "$0.skein-chained" ] && printf '%s\n' "$input" | "$0.skein-chained" "$@"
skein=$(git config skein.binary 2>/dev/null || command -v skein)
head=$(git symbolic-ref -q HEAD 2>/dev/null)
registry=$(cd "$(git rev-parse --git-dir)" && pwd)
printf '%s\n' "$input" | while read -r old new ref; do
  [ -n "$skein" ] && [ -n "$ref" ] || continue
  [ "$ref" = "$head" ] || continue
  case "$new" in 0000000000000000000000000000000000000000) continue ;; esac
  "$skein" trigger --registry "$registry" "$old" "$new" >/dev/null 2>&1 </dev/null || true
done
exit 0
"""# + "\n"

    static let preCommit = #"""
#!/bin/sh
# skein: refuse a commit that brings back what a dataset migration retired (old field names,
# locations, dataset ids or versions). Installed by `skein hook install --consumer`.
# A hook that was here before skein's is kept beside it and run first.
if [ -x "$0.skein-chained" ]; then "$0.skein-chained" "$@" || exit $?; fi
skein=$(git config skein.binary 2>/dev/null || command -v skein)
registry=$(git config skein.registry 2>/dev/null)
if [ -z "$skein" ] || [ -z "$registry" ]; then exit 0; fi
# git names the index being committed in GIT_INDEX_FILE (commit -a, commit FILE, --amend);
# `check --staged` reads it and refuses only the lines this commit adds.
exec "$skein" check --registry "$registry" --staged "$(git rev-parse --show-toplevel)"
"""# + "\n"
}
