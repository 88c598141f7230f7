import Foundation
import Testing
import TestSupport

/// The whole product on the fixture fleet: real git, real rewrites, real `swift test` in
/// bubblewrap, before and after.
@Suite(.serialized) struct EndToEndTests {
    @Test func theFixtureFleetReachesEveryStatusAndReRunsIdempotently() throws {
        let fleet = FleetFixture()
        let first = fleet.run(["--jobs", "3", "--test-jobs", "2"])
        #expect(first.status == 1, "stdout: \(first.stdout)\nstderr: \(first.stderr)")

        #expect(fleet.status("top-tracks") == "tests-passed")
        #expect(fleet.status("play-counter") == "tests-passed")
        #expect(fleet.status("reporting") == "tests-passed")
        #expect(fleet.status("dashboard") == "not-affected")
        #expect(fleet.status("duration-stats") == "tests-failed")
        #expect(fleet.status("client-audit") == "needs-human")
        #expect(fleet.status("legacy-export") == "tests-passed")
        #expect(fleet.ledger("weather").isEmpty)
        #expect(first.stderr.contains("empty-service"))

        // The branch is reviewable with ordinary git, with the contract's message and trailers.
        let topTracks = fleet.mirror("top-tracks")
        let message = git("log", "-1", "--format=%B", "skein/plays-v2", in: topTracks)
        #expect(message.hasPrefix("skein: plays-v2: "))
        #expect(message.contains("Skein-Migration: plays-v2"))
        #expect(message.contains("Skein-Schema-Commit: \(git("rev-parse", "HEAD", in: fleet.registry))"))
        #expect(message.contains("Skein-Base: \(git("rev-parse", "main", in: topTracks))"))
        #expect(git("log", "-1", "--format=%an <%ae>", "skein/plays-v2", in: topTracks) == "skein <skein@localhost>")
        let diff = git("diff", "main", "skein/plays-v2", in: topTracks)
        #expect(diff.contains("+    public var track_uri: String   // the track that was played"))
        #expect(diff.contains("+    public var ms_played: Int64"))
        #expect(diff.contains("gs://listening-data/plays/v2"))
        // Another type's property of the same name is untouched.
        let charts = git("show", "skein/plays-v2:Sources/TopTracks/PlayEvent.swift", in: topTracks)
        #expect(charts.contains("public struct Track: Equatable {\n    public var track_id: String"))
        // Its Swift renames were decided by the compiler index of its base build.
        let resolvedBy = fleet.ledger("top-tracks").last?["resolved_by"] as? [String] ?? []
        #expect(resolvedBy.contains { $0.hasPrefix("renameField plays: track_id → track_uri") && $0.contains("from the compiler index") },
                "\(resolvedBy)")
        #expect(message.contains("How names were resolved:"))
        // The ledger note is readable with git notes.
        let note = git("notes", "--ref=skein", "show", "skein/plays-v2", in: topTracks)
        #expect(note.contains("\"status\":\"tests-passed\""))

        // Not affected: no branch, the note on the base.
        let dashboard = fleet.mirror("dashboard")
        #expect(gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/plays-v2"], in: dashboard).status != 0)
        #expect(git("notes", "--ref=skein", "show", "main", in: dashboard).contains("not-affected"))
        // A test already failing at the base is listed, not blamed.
        let legacy = fleet.ledger("legacy-export").last?["attention"] as? [String] ?? []
        #expect(legacy.contains { $0.contains("testArchiveTimezone") && $0.contains("already failing") })
        // The undeclared consumer is flagged.
        #expect(fleet.ledger("reporting").last?["undeclared"] as? Bool == true)
        // Needs-human names the file and line of the removed field's use.
        let audit = fleet.ledger("client-audit").last?["attention"] as? [String] ?? []
        #expect(audit.contains { $0.hasPrefix("Sources/ClientAudit/Audit.swift:") })

        // Idempotent: a second run changes no ref and writes no ledger line.
        let before = fleet.allRefs()
        let second = fleet.run()
        #expect(second.status == 1)
        #expect(fleet.allRefs() == before)

        // Status as a program reads it.
        let status = skein(["status", "--mirrors", fleet.mirrors, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let migration = (json?["migrations"] as? [[String: Any]])?.first
        #expect(migration?["id"] as? String == "plays-v2")
        let counts = migration?["counts"] as? [String: Int]
        #expect(counts?["tests-passed"] == 4)
        #expect(counts?["tests-failed"] == 1)
        let repos = migration?["repos"] as? [[String: Any]] ?? []
        #expect(Set(repos.compactMap { $0["repo"] as? String }) == [
            "top-tracks", "play-counter", "reporting", "dashboard", "duration-stats", "client-audit", "legacy-export",
        ])
        for key in ["repo", "status", "branch", "commit", "base", "tests", "attention", "error", "undeclared"] {
            #expect(repos.allSatisfy { $0.keys.contains(key) }, "\(key)")
        }
        let page = fleet.directory.url("status.html")
        _ = skein(["status", "--mirrors", fleet.mirrors, "--html", page])
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("plays-v2") && html.contains("<svg") && !html.contains("http://") && !html.contains("https://"))
    }
}
