import Foundation
import Testing
import TestSupport

/// Staged rollouts (SPEC §7) and paced pushes, on the fixture fleet with real repos.
@Suite struct RolloutTests {
    /// Makes `repo`'s tests fail once the migration renamed `track_id` (they pass at the base),
    /// by a `.skein.yaml` committed upstream and synced into the mirror; `fixed` takes it away.
    func breakTests(of repo: String, in fleet: FleetFixture, fixed: Bool = false) {
        let clone = fleet.directory.url("work-\(repo)")
        if !FileManager.default.fileExists(atPath: clone) { git("clone", "-q", fleet.upstream(repo), clone, in: fleet.root) }
        if fixed {
            commit(files: [:], removing: [".skein.yaml"], in: clone, message: "Tests that pass after the rename")
        } else {
            commit(files: [".skein.yaml": "test:\n  command: \"! grep -rq track_uri Sources\"\n"], in: clone, message: "Tests that break on the rename")
        }
        git("push", "-q", "origin", "main", in: clone)
        #expect(skein(["mirror", "sync", "--mirrors", fleet.mirrors]).status == 0)
    }

    func setRollout(_ yaml: String, in fleet: FleetFixture) throws {
        let path = fleet.registry + "/skein.yaml"
        let settings = try String(contentsOfFile: path, encoding: .utf8)
        try (settings + yaml).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// `wave` of each consumer in `status --json`.
    func waves(_ fleet: FleetFixture, migration: String = "plays-v2") throws -> [String: Int] {
        let status = skein(["status", "--mirrors", fleet.mirrors, migration, "--json"])
        let repos = ((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["migrations"] as? [[String: Any]])?
            .first?["repos"] as? [[String: Any]] ?? []
        var result: [String: Int] = [:]
        for repo in repos { if let wave = repo["wave"] as? Int { result[repo["repo"] as! String] = wave } }
        return result
    }

    @Test func aPilotOverTheThresholdHaltsTheRolloutAndALaterRunContinuesOnceItIsFixed() throws {
        let fleet = FleetFixture(testCommand: "true")
        breakTests(of: "top-tracks", in: fleet)
        try setRollout("""
            rollout:
              waves:
                - only: [top-tracks, dashboard]
                - percent: 100
              halt_above: 0.2
            """, in: fleet)

        let halted = fleet.run()
        #expect(halted.status == 1, "\(halted.stdout)\(halted.stderr)")
        #expect(fleet.status("top-tracks") == "tests-failed")
        #expect(fleet.status("dashboard") == "not-affected")
        #expect(halted.stdout.contains("rollout halted after wave 1 (pilot: top-tracks, dashboard)"), "\(halted.stdout)")
        #expect(halted.stdout.contains("1 of 2 consumers of wave 1 ended tests-failed or error (50% > halt_above 20%)"), "\(halted.stdout)")
        for repo in consumersOfPlays.subtracting(["top-tracks", "dashboard"]) {
            #expect(fleet.ledger(repo).isEmpty, "\(repo) was migrated past a halted pilot")
        }
        #expect(try waves(fleet) == ["top-tracks": 1, "dashboard": 1])

        // Nothing changed: a second run halts again, without migrating anyone anew.
        let again = fleet.run()
        #expect(again.status == 1)
        #expect(again.stdout.contains("rollout halted after wave 1"))
        #expect(fleet.ledger("top-tracks").count == 1)
        #expect(fleet.ledger("reporting").isEmpty)

        // The consumer's tests are fixed upstream: the next run migrates it from its new base,
        // the pilot is under the threshold, and the rollout goes on to everyone.
        breakTests(of: "top-tracks", in: fleet, fixed: true)
        let continued = fleet.run()
        #expect(!continued.stdout.contains("halted"), "\(continued.stdout)")
        #expect(fleet.status("top-tracks") == "tests-passed")
        #expect(fleet.status("reporting") == "tests-passed")
        #expect(consumersOfPlays.allSatisfy { fleet.status($0) != nil })
        let recorded = try waves(fleet)
        #expect(recorded["top-tracks"] == 1)
        #expect(recorded["reporting"] == 2)
        #expect(recorded.count == consumersOfPlays.count)
    }

    @Test func aPilotAtTheThresholdLetsTheRolloutGoOnAndPercentagesFollowTheShardHash() throws {
        let fleet = FleetFixture(testCommand: "true")
        breakTests(of: "top-tracks", in: fleet)
        try setRollout("""
            rollout:
              waves:
                - only: [top-tracks, dashboard]
                - percent: 50
                - percent: 100
              halt_above: 0.5
            """, in: fleet)
        let result = fleet.run()
        #expect(result.status == 1)
        #expect(!result.stdout.contains("halted"), "\(result.stdout)")
        #expect(fleet.status("top-tracks") == "tests-failed")
        let recorded = try waves(fleet)
        #expect(recorded.count == consumersOfPlays.count)

        // Wave 2 fills the fleet up to 50% (3 of 7, the pilots included) with the first
        // consumers in FNV-1a order, the order `--shard` uses.
        let rest = consumersOfPlays.subtracting(["top-tracks", "dashboard"]).sorted { fnv1a($0) < fnv1a($1) }
        #expect(Set(recorded.filter { $0.value == 2 }.keys) == [rest[0]])
        #expect(Set(recorded.filter { $0.value == 3 }.keys) == Set(rest.dropFirst()))
        #expect(fleet.ledger(rest[0]).last?["wave"] as? Int == 2)
    }

    @Test func anExplicitMigrationCarriesItsOwnRollout() throws {
        let fleet = FleetFixture(testCommand: "true")
        breakTests(of: "top-tracks", in: fleet)
        // The registry's rollout would let everyone through; the migration's own halts.
        try setRollout("rollout: { waves: [{ percent: 100 }], halt_above: 1 }\n", in: fleet)
        let migration = fleet.directory.url("location.yaml")
        try """
            id: plays-location
            datasets: [plays]
            rules:
              - renameMember: { type: PlayEvent, from: track_id, to: track_uri }
            rollout:
              waves:
                - only: [top-tracks]
                - percent: 100
            """.write(toFile: migration, atomically: true, encoding: .utf8)
        let result = fleet.run(["--migration", migration])
        #expect(result.status == 1)
        #expect(result.stdout.contains("rollout halted after wave 1 (pilot: top-tracks)"), "\(result.stdout)")
        #expect(result.stdout.contains("(100% > halt_above 0%)"), "\(result.stdout)")
        #expect(fleet.ledger("reporting", migration: "plays-location").isEmpty)
    }

    @Test func badRolloutSettingsAreRefusedWithTheirLine() throws {
        let fleet = FleetFixture(testCommand: "true")
        try setRollout("""
            rollout:
              waves:
                - percent: 50
                - percent: 10
            """, in: fleet)
        let result = fleet.run()
        #expect(result.status == 2)
        #expect(result.stderr.contains("skein.yaml:12"), "\(result.stderr)")
        #expect(result.stderr.contains("must not be below an earlier wave's (50)"), "\(result.stderr)")
        #expect(fleet.ledger("top-tracks").isEmpty)
    }

    @Test func pushMaxPacesNewBranches() throws {
        let fleet = FleetFixture(testCommand: "true")
        _ = fleet.run()
        let withBranch = consumersOfPlays.filter {
            gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/plays-v2"], in: fleet.mirror($0)).status == 0
        }
        #expect(withBranch.count > 3)
        func upstreamBranches() -> Int {
            withBranch.filter {
                gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/plays-v2"], in: fleet.upstream($0)).status == 0
            }.count
        }
        let first = skein(["push", "--mirrors", fleet.mirrors, "plays-v2", "--max", "2"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(upstreamBranches() == 2)
        #expect(first.stdout.contains("deferred: --max reached"))
        let second = skein(["push", "--mirrors", fleet.mirrors, "plays-v2", "--max", "2"])
        #expect(second.status == 0)
        #expect(upstreamBranches() == 4)
        _ = skein(["push", "--mirrors", fleet.mirrors, "plays-v2"])
        #expect(upstreamBranches() == withBranch.count)
        #expect(skein(["push", "--mirrors", fleet.mirrors, "plays-v2", "--max", "-1"]).status == 2)
    }
}
