#!/usr/bin/env python3
"""Generates fleets for `make bench` as bare git repos, quickly (one git fast-import per repo).

  generate.py fleet DIR COUNT FILES   COUNT consumer repos with FILES Swift files each; about a
                                      third declare `plays`, a tenth reference its location
                                      undeclared, the rest are unrelated.
  generate.py commit DIR              one new commit on main in every repo of DIR (for sync rounds)
  generate.py reviewed DIR COUNT      COUNT mirrors as a plays-v2 run leaves them: a skein/plays-v2
                                      branch with a small diff and a ledger note each, statuses and
                                      owners (25 teams) spread as in a large fleet (for the page)
"""
import json
import os
import subprocess
import sys

ENV = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")

RECORD = """import Foundation

public struct PlayEvent: Codable {
    public var user_id: String
    public var track_id: String
    public var ms_played: Int32
    public var context: String?
}
"""

def swift_file(index):
    return f"""import Foundation

/// Generated module file {index}.
public struct Report{index} {{
    public var title = "report {index}"
    public var track_id: String = "unrelated"

    public func totals(_ events: [PlayEvent]) -> [String: Int64] {{
        var totals: [String: Int64] = [:]
        for event in events {{
            totals[event.track_id, default: 0] += Int64(event.ms_played)
        }}
        return totals
    }}

    public func firstTrack(_ events: [PlayEvent]) -> String? {{
        events.first?.track_id
    }}
}}
"""

def catalog(name, depends):
    return f"""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
spec:
  type: service
  owner: team-bench
  dependsOn: [{depends}]
"""

def blob(path, text):
    data = text.encode()
    return b"M 100644 inline " + path.encode() + b"\ndata " + str(len(data)).encode() + b"\n" + data + b"\n"

def fast_import(repo, files, message, parent=False, stamp=1767225600):
    stream = b"commit refs/heads/main\n"
    stream += f"author Bench <bench@example.com> {stamp} +0000\ncommitter Bench <bench@example.com> {stamp} +0000\n".encode()
    msg = message.encode()
    stream += b"data " + str(len(msg)).encode() + b"\n" + msg + b"\n"
    if parent:
        stream += b"from refs/heads/main^0\n"
    for path, text in files.items():
        stream += blob(path, text)
    stream += b"\n"
    subprocess.run(["git", "fast-import", "--quiet"], input=stream, cwd=repo, env=ENV, check=True)

def fleet(directory, count, files):
    os.makedirs(directory, exist_ok=True)
    for index in range(count):
        name = f"consumer-{index:04d}"
        repo = os.path.join(directory, name + ".git")
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", repo], env=ENV, check=True)
        kind = index % 10
        content = {"Package.swift": "// swift-tools-version: 5.9\nimport PackageDescription\nlet package = Package(name: \"%s\", targets: [.target(name: \"App\")])\n" % name}
        if kind < 3:
            content["catalog-info.yaml"] = catalog(name, "resource:default/plays, resource:users")
        else:
            content["catalog-info.yaml"] = catalog(name, "resource:forecasts")
        if kind < 4:
            content["Sources/App/PlayEvent.swift"] = RECORD
            for file in range(files):
                content[f"Sources/App/Report{file}.swift"] = swift_file(file)
            content["config/pipeline.yaml"] = "datasets:\n  plays:\n    location: gs://listening-data/plays/v1\n    version: 1\n"
        else:
            for file in range(max(1, files // 10)):
                content[f"Sources/App/Weather{file}.swift"] = f"public struct Weather{file} {{ public var celsius = {file}.0 }}\n"
        fast_import(repo, content, f"Initial {name}")

def commit_all(directory, round_number):
    for name in sorted(os.listdir(directory)):
        repo = os.path.join(directory, name)
        fast_import(repo, {"ROUND": f"{round_number}\n"}, f"round {round_number}", parent=True, stamp=1767225600 + int(round_number))

STATUSES = (["error"] + ["tests-failed"] * 2 + ["needs-human"] * 2 + ["tests-passed"] * 10
            + ["not-affected"] * 3 + ["tests-passed"] * 2)

def reviewed(directory, count):
    """One fast-import per repo: main, the migration branch, then the note on the branch's
    commit (whose id `get-mark` reads back mid-stream, so the ledger line can name it)."""
    os.makedirs(directory, exist_ok=True)
    migrated = RECORD.replace("track_id", "track_uri").replace("Int32", "Int64")
    config = "datasets:\n  plays:\n    location: gs://listening-data/plays/v1\n    version: 1\n"
    for index in range(count):
        name = f"consumer-{index:04d}"
        repo = os.path.join(directory, name + ".git")
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", repo], env=ENV, check=True)
        status = STATUSES[index % len(STATUSES)]
        stamp = 1767225600 + index
        who = f"author Bench <bench@example.com> {stamp} +0000\ncommitter Bench <bench@example.com> {stamp} +0000\n".encode()
        def commit(ref, mark, message, files, parent=None):
            stream = f"commit {ref}\nmark :{mark}\n".encode() + who
            stream += b"data " + str(len(message)).encode() + b"\n" + message.encode() + b"\n"
            if parent:
                stream += f"from :{parent}\n".encode()
            for path, text in files.items():
                stream += blob(path, text)
            return stream + b"\n"
        process = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=repo, env=ENV, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE)
        process.stdin.write(commit("refs/heads/main", 1, f"Initial {name}", {
            "Sources/App/PlayEvent.swift": RECORD, "config/pipeline.yaml": config,
            "catalog-info.yaml": catalog(name, "resource:plays").replace("team-bench", f"team-{index % 25:02d}")}))
        if status != "not-affected":
            process.stdin.write(commit("refs/heads/skein/plays-v2", 2, "skein: plays-v2: rename track_id to track_uri", {
                "Sources/App/PlayEvent.swift": migrated, "config/pipeline.yaml": config.replace("v1", "v2")}, parent=1))
        process.stdin.write(b"get-mark :1\n" + (b"get-mark :2\n" if status != "not-affected" else b""))
        process.stdin.flush()
        base = process.stdout.readline().decode().strip()
        made = process.stdout.readline().decode().strip() if status != "not-affected" else None
        line = {"migration": "plays-v2", "status": status, "repo": name, "base": base, "commit": made,
                "schema_commit": "0" * 40, "at": f"2026-01-{12 + index % 5:02d}T10:{index % 60:02d}:00.000Z",
                "owner": f"team-{index % 25:02d}", "undeclared": index % 10 == 7}
        if made:
            line["tests"] = {"passed": 12, "failed": 1 if status == "tests-failed" else 0, "skipped": 1}
            line["base_tests"] = {"passed": 12, "failed": 0, "skipped": 1}
            line["files"] = ["Sources/App/PlayEvent.swift", "config/pipeline.yaml"]
        if status in ("needs-human", "tests-failed"):
            line["attention"] = [f"Sources/App/Report{n}.swift:{n + 3}: uses plays.client_version, which the dataset no longer has"
                                 for n in range(3)]
        if status == "error":
            line["error"] = "tests timed out after 900 s"
        text = json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n"
        notes = b"commit refs/notes/skein\n" + who + b"data 6\nledger\n"
        notes += b"N inline " + (b":2" if made else b":1") + b"\ndata " + str(len(text.encode())).encode() + b"\n" + text.encode() + b"\n\n"
        process.stdin.write(notes)
        process.stdin.close()
        process.stdout.read()
        if process.wait() != 0:
            sys.exit(f"fast-import failed in {repo}")

if __name__ == "__main__":
    if sys.argv[1] == "fleet":
        fleet(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "reviewed":
        reviewed(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "commit":
        commit_all(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "1")
    else:
        sys.exit(__doc__)
