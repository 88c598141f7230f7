import Foundation
import Testing
import TestSupport

/// What a reviewer reads without opening the page: the migration commits as git shows them, the
/// ledger notes, and the lines a run prints.
@Suite struct ReviewOutputTests {
    /// Swift Testing's lines, so every tested consumer records 2 passed and 1 skipped.
    static let testCommand =
        "echo ✔ Test first passed after 0.001 seconds.; echo ✔ Test second passed after 0.001 seconds.; echo ➜ Test third skipped."

    @Test func migrationCommitsReadLikeAPullRequest() throws {
        let fleet = FleetFixture(testCommand: Self.testCommand)
        let run = fleet.run(["--sandbox", "none"])
        #expect(run.status == 1, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        let schemaSubject = git("log", "-1", "--format=%s", in: fleet.registry)
        let schemaCommit = git("rev-parse", "HEAD", in: fleet.registry)

        for repo in ["client-audit", "duration-stats", "legacy-export", "play-counter", "reporting", "top-tracks"] {
            let subject = git("log", "-1", "--format=%s", "skein/plays-v2", in: fleet.mirror(repo))
            #expect(subject.hasPrefix("skein: plays-v2: ") && subject.count <= 72, "\(repo): \(subject)")
            #expect(!subject.contains("renameField") && !subject.contains("moveLocation"), "rule names in \(subject)")
        }

        // The one needing a human says so in its subject; its body quotes why, lists what was
        // applied with counts and only that, the tests at the base and after, file:line items,
        // how to undo, and the trailers last.
        let audit = fleet.mirror("client-audit")
        let subject = git("log", "-1", "--format=%s", "skein/plays-v2", in: audit)
        #expect(subject == "skein: plays-v2: rename track_id to track_uri (needs a look)")
        let body = git("log", "-1", "--format=%b", "skein/plays-v2", in: audit)
        let base = git("rev-parse", "main", in: audit)
        #expect(body.contains("Why: registry commit \(schemaCommit.prefix(10)) by Fleet Owner <owner@example.com>:"), "\(body)")
        #expect(body.contains("    \(schemaSubject)\n"), "\(body)")
        #expect(body.contains("Status: needs-human: "), "\(body)")
        #expect(body.contains("    edits  change\n        2  renameField plays: track_id → track_uri\n"), "\(body)")
        #expect(!body.contains("nothing to change") && !body.contains("moveLocation") && !body.contains("bumpVersion"), "\(body)")
        #expect(body.contains("Files touched (2):\n- Sources/ClientAudit/Audit.swift\n"), "\(body)")
        #expect(body.contains("- at the base \(base.prefix(10)): 2 passed, 0 failed, 1 skipped\n- after the migration: 2 passed, 0 failed, 1 skipped"), "\(body)")
        #expect(body.contains("Needs a human:\n- Sources/ClientAudit/Audit.swift:4: "), "\(body)")
        #expect(body.contains("To undo: ") && body.contains("skein/plays-v2-rollback"), "\(body)")
        #expect(body.hasSuffix("Skein-Migration: plays-v2\nSkein-Schema-Commit: \(schemaCommit)\nSkein-Base: \(base)"), "\(body)")
        let trailers = git("log", "-1", "--format=%(trailers:key=Skein-Migration,valueonly)", "skein/plays-v2", in: audit)
        #expect(trailers == "plays-v2")

        // A green one: no status mark, several changes in plain words.
        let topTracks = git("log", "-1", "--format=%s", "skein/plays-v2", in: fleet.mirror("top-tracks"))
        #expect(topTracks.hasPrefix("skein: plays-v2: rename track_id") && !topTracks.contains("("), "\(topTracks)")

        // The ledger note names no path of this machine: the log is relative to the mirrors.
        let note = git("notes", "--ref=skein", "show", "skein/plays-v2", in: audit)
        #expect(!note.contains(fleet.root), "\(note)")
        let entry = try #require(fleet.ledger("client-audit").last)
        #expect(entry["log"] as? String == ".skein/logs/plays-v2/client-audit.after.log")
        #expect((entry["base_tests"] as? [String: Int]) == ["passed": 2, "failed": 0, "skipped": 1])
        let cache = git("notes", "--ref=skein-baseline", "show", "main", in: audit)
        #expect(!cache.isEmpty && !cache.contains(fleet.root), "\(cache)")
    }

    @Test func ownersReachTheLedgerStatusAndItsFilter() throws {
        let fleet = FleetFixture(testCommand: Self.testCommand)
        _ = fleet.run(["--sandbox", "none"])
        // From spec.owner of each catalog-info.yaml; the undeclared consumer has none.
        #expect(fleet.ledger("top-tracks").last?["owner"] as? String == "team-charts")
        #expect(fleet.ledger("dashboard").last?["owner"] as? String == "team-insights")
        #expect(fleet.ledger("reporting").last?["owner"] == nil)

        let json = skein(["status", "--mirrors", fleet.mirrors, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let migration = try #require((object["migrations"] as? [[String: Any]])?.first)
        let repos = try #require(migration["repos"] as? [[String: Any]])
        let owners = Dictionary(uniqueKeysWithValues: repos.map { ($0["repo"] as! String, $0["owner"] as? String ?? "-") })
        #expect(owners == [
            "client-audit": "team-clients", "dashboard": "team-insights", "duration-stats": "team-insights",
            "legacy-export": "team-archive", "play-counter": "team-insights", "reporting": "-", "top-tracks": "team-charts",
        ])

        let perOwner = try #require(migration["owners"] as? [String: [String: Int]])
        #expect(perOwner["team-insights"] == ["not-affected": 1, "tests-passed": 2], "\(perOwner)")

        // --owner keeps one team's consumers, in the JSON and the table, with its summary.
        let team = skein(["status", "--mirrors", fleet.mirrors, "--owner", "team-insights", "--json"])
        #expect(team.status == 0, "\(team.stderr)")
        let teamObject = try #require(try JSONSerialization.jsonObject(with: Data(team.stdout.utf8)) as? [String: Any])
        let teamRepos = ((teamObject["migrations"] as? [[String: Any]])?.first?["repos"] as? [[String: Any]] ?? []).map { $0["repo"] as? String }
        #expect(teamRepos == ["dashboard", "duration-stats", "play-counter"])
        let table = skein(["status", "--mirrors", fleet.mirrors])
        #expect(table.stdout.contains("  by owner:\n"), "\(table.stdout)")
        #expect(table.stdout.contains(" team-insights  1 not-affected, 2 tests-passed\n"), "\(table.stdout)")
        #expect(table.stdout.contains(" (no owner)     1 tests-passed\n"), "\(table.stdout)")
        // Problems first: the needs-human consumer is the first row.
        let rows = table.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("      ") }
        #expect(rows.first?.hasPrefix("  client-audit    needs-human   team-clients   3 places need a look") == true, "\(table.stdout)")
        let none = skein(["status", "--mirrors", fleet.mirrors, "--owner", "team-nobody"])
        #expect(none.status == 2 && none.stderr.contains("no consumer owned by team-nobody"), "\(none.stderr)")

        // discover --json carries the owner too.
        let discover = skein(["discover", "--registry", fleet.registry, "--mirrors", fleet.mirrors, "plays", "--json"])
        #expect(discover.stdout.replacingOccurrences(of: " ", with: "").contains("\"owner\":\"team-charts\""), "\(discover.stdout)")
    }

    @Test func pipedOutputArrivesPerConsumerWhileTheRunGoes() throws {
        // top-tracks' tests wait until the test lets them go: every other consumer's line must
        // reach the pipe while the run is still going. (No `&` in the command: make-fleet.sh
        // writes it with sed, where `&` stands for the matched line.)
        let gate = TemporaryDirectory("skein-gate")
        let go = gate.url("go")
        let waiting = "i=0; case $PWD in *top-tracks*) while [ ! -e \(go) -a $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done;; esac; "
        let fleet = FleetFixture(testCommand: waiting + Self.testCommand)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: skeinExecutable)
        process.arguments = [
            "run", "--registry", fleet.registry, "--mirrors", fleet.mirrors, "--sandbox", "none", "--jobs", "4", "--test-jobs", "4",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(isolatedGitEnvironment) { $1 }
        // stdout and stderr into one pipe, as `skein run 2>&1 | cat` gives them.
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        try pipe.fileHandleForWriting.close()
        let received = Received()
        let reader = Thread {
            while true {
                let data = pipe.fileHandleForReading.availableData
                if data.isEmpty { break }
                received.append(data)
            }
            received.close()
        }
        reader.start()

        let others = ["client-audit", "dashboard", "duration-stats", "legacy-export", "play-counter", "reporting"]
        let arrived = received.wait(seconds: 300) { text in others.allSatisfy { text.contains("\n\($0): ") || text.hasPrefix("\($0): ") } }
        #expect(arrived, "lines so far: \(received.text)")
        #expect(process.isRunning, "the run ended before its lines were read")
        #expect(!received.text.contains("top-tracks: "), "\(received.text)")
        FileManager.default.createFile(atPath: go, contents: nil)
        #expect(received.wait(seconds: 300) { _ in received.isClosed })
        process.waitUntilExit()

        // In order: the consumer lines, the skipped mirror (stderr), then the summary (stdout).
        let lines = received.text.split(separator: "\n").map(String.init)
        let topTracks = try #require(lines.firstIndex { $0.hasPrefix("top-tracks: tests-passed: tests 2 passed, 0 failed") }, "\(lines)")
        let skipped = try #require(lines.firstIndex { $0.hasPrefix("skein: empty-service: skipped") }, "\(lines)")
        let summary = try #require(lines.firstIndex { $0.hasPrefix("plays-v2: 7 consumers") }, "\(lines)")
        #expect(topTracks < skipped && skipped < summary, "\(lines)")
        // Each line says why: the needs-human one where to look.
        #expect(lines.contains { $0.hasPrefix("client-audit: needs-human: 3 places need a look (Sources/ClientAudit/Audit.swift:4)") }, "\(lines)")
        #expect(lines.contains("dashboard: not-affected: nothing to change"), "\(lines)")
    }

    @Test func theHooksLogFillsAsTheRunGoes() throws {
        // As above, top-tracks' tests wait for the test; the detached run's log must already hold
        // the other consumers' lines. No sandbox: the gate lives in this machine's /tmp.
        let gate = TemporaryDirectory("skein-gate")
        let go = gate.url("go")
        let waiting = "i=0; case $PWD in *top-tracks*) while [ ! -e \(go) -a $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done;; esac; "
        let fleet = FleetFixture(testCommand: waiting + Self.testCommand)
        let settings = try String(contentsOfFile: fleet.registry + "/skein.yaml", encoding: .utf8)
        commit(files: ["skein.yaml": settings.replacingOccurrences(of: "sandbox: bwrap", with: "sandbox: none")], in: fleet.registry, message: "no sandbox")
        #expect(skein(["hook", "install", "--registry", fleet.registry, "--mirrors", fleet.mirrors]).status == 0)
        commit(files: ["datasets/plays.yaml": TriggerTests.v3], in: fleet.registry, message: "plays v3")

        let logs = fleet.registry + "/.git/skein/logs"
        func log() -> String {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []
            return names.sorted().compactMap { try? String(contentsOfFile: logs + "/" + $0, encoding: .utf8) }.joined()
        }
        let deadline = Date().addingTimeInterval(300)
        while !log().contains("dashboard: "), Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        let early = log()
        FileManager.default.createFile(atPath: go, contents: nil)
        #expect(early.contains("\ndashboard: needs-human: 1 place needs a look (Sources/Dashboard/"), "\(early)")
        #expect(!early.contains("top-tracks: ") && !early.contains("finished with exit code"), "\(early)")
        while !log().contains("finished with exit code"), Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        #expect(log().contains("\ntop-tracks: tests-passed: "), "\(log())")
    }
}

/// Bytes read from a pipe so far, shared between the reading thread and the test.
private final class Received: @unchecked Sendable {
    private let lock = NSCondition()
    private var data = Data()
    private(set) var isClosed = false

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    func append(_ more: Data) {
        lock.withLock {
            data.append(more)
            lock.broadcast()
        }
    }

    func close() {
        lock.withLock {
            isClosed = true
            lock.broadcast()
        }
    }

    /// Waits until `condition` holds for the text so far (or the pipe closed), at most `seconds`.
    func wait(seconds: Double, until condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if condition(String(decoding: data, as: UTF8.self)) { return true }
            if isClosed || !lock.wait(until: deadline) { return condition(String(decoding: data, as: UTF8.self)) }
        }
    }
}
