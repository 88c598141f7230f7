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
}
