import Foundation
import Testing
import TestSupport

let consumersOfPlays: Set<String> = [
    "top-tracks", "play-counter", "reporting", "dashboard", "duration-stats", "client-audit", "legacy-export",
]

/// Starts the `skein` binary without waiting for it (its output is discarded).
func startSkein(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: skeinExecutable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(isolatedGitEnvironment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// The fleet machinery with a test command of `true`: what is measured is skein's own work.
@Suite struct OrchestrationTests {
    @Test func dryRunPrintsDiffsAndChangesNothing() {
        let fleet = FleetFixture(testCommand: "true")
        let before = fleet.allRefs()
        let result = fleet.run(["--dry-run"])
        #expect(fleet.allRefs() == before)
        #expect(result.stdout.contains("# top-tracks"))
        #expect(result.stdout.contains("+    public var track_uri: String"))
        // A dry run builds nothing: it says its Swift renames are the syntax resolver's alone.
        #expect(result.stdout.contains("# dry run: Swift renames planned by the syntax resolver alone"))
        #expect(!FileManager.default.fileExists(atPath: fleet.mirrors + "/.skein/worktrees/top-tracks--plays-v2"))
    }

    @Test func withoutBubblewrapARunRefusesWithExitTwoUnlessSandboxNone() throws {
        let fleet = FleetFixture(testCommand: "true")
        let before = fleet.allRefs()
        // bwrap is looked for on PATH; this one has nothing on it.
        let path = fleet.directory.url("no-bubblewrap")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let refused = skein(["run", "--registry", fleet.registry, "--mirrors", fleet.mirrors], environment: ["PATH": path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bubblewrap (bwrap) is not installed"))
        #expect(refused.stderr.contains("apt-get install bubblewrap"))
        #expect(refused.stderr.components(separatedBy: "--sandbox none").count == 2, "\(refused.stderr)")
        #expect(fleet.allRefs() == before)
        #expect(fleet.ledger("top-tracks").isEmpty)

        let unsandboxed = skein(
            ["run", "--registry", fleet.registry, "--mirrors", fleet.mirrors, "--sandbox", "none", "--only", "top-tracks"],
            environment: ["PATH": path])
        #expect(unsandboxed.status == 0, "\(unsandboxed.stderr)")
        #expect(fleet.status("top-tracks") == "tests-passed")
    }

    @Test func aBubblewrapThatCannotMakeNamespacesIsToldApartFromAMissingOne() throws {
        let fleet = FleetFixture(testCommand: "true")
        // A bwrap on PATH that fails the way one without user namespaces does.
        let path = fleet.directory.url("failing-bubblewrap")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n"
            .write(toFile: path + "/bwrap", atomically: true, encoding: .utf8)
        chmod(path + "/bwrap", 0o755)
        let refused = skein(["run", "--registry", fleet.registry, "--mirrors", fleet.mirrors], environment: ["PATH": path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bubblewrap (\(path)/bwrap) is installed but cannot make the namespaces"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("not installed"))
        #expect(fleet.ledger("top-tracks").isEmpty)
    }

    @Test func maxBranchesPilotsFirstAndAReRunFinishes() {
        let fleet = FleetFixture(testCommand: "true")
        let pilot = fleet.run(["--max-branches", "1", "--jobs", "1"])
        let branches = consumersOfPlays.filter {
            gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/plays-v2"], in: fleet.mirror($0)).status == 0
        }
        #expect(branches.count == 1, "\(pilot.stdout)")
        #expect(pilot.stdout.contains("deferred: --max-branches reached"))
        _ = fleet.run()
        #expect(fleet.status("top-tracks") == "tests-passed")
        #expect(fleet.status("play-counter") == "tests-passed")
    }

    @Test func onlyAndShardsSplitTheFleetWithoutOverlap() throws {
        let fleet = FleetFixture(testCommand: "true")
        let arguments = ["run", "--registry", fleet.registry, "--mirrors", fleet.mirrors, "--jobs", "2"]
        let shards = try (0..<2).map { try startSkein(arguments + ["--shard", "\($0)/2"]) }
        shards.forEach { $0.waitUntilExit() }
        for repo in consumersOfPlays {
            #expect(fleet.ledger(repo).count == 1, "\(repo)")
        }
        let only = FleetFixture(testCommand: "true")
        _ = only.run(["--only", "dashboard,top-tracks"])
        #expect(only.status("dashboard") == "not-affected")
        #expect(only.status("top-tracks") == "tests-passed")
        #expect(only.ledger("play-counter").isEmpty)
    }

    @Test func aKilledRunLeavesNothingHalfDoneAndTheNextRunFinishes() throws {
        let fleet = FleetFixture(testCommand: "sleep 2")
        let process = try startSkein(["run", "--registry", fleet.registry, "--mirrors", fleet.mirrors, "--jobs", "2", "--test-jobs", "2"])
        Thread.sleep(forTimeInterval: 3)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        // Whatever the ledger claims, git holds.
        for repo in consumersOfPlays {
            for line in fleet.ledger(repo) {
                if let commit = line["commit"] as? String {
                    #expect(git("rev-parse", "skein/plays-v2", in: fleet.mirror(repo)) == commit)
                }
            }
        }
        let rerun = fleet.run(["--jobs", "4", "--test-jobs", "4"])
        #expect(rerun.status == 1, "\(rerun.stderr)")
        for repo in consumersOfPlays {
            #expect(fleet.status(repo) != nil, "\(repo)")
            #expect(git("worktree", "list", in: fleet.mirror(repo)).split(separator: "\n").count == 1, "\(repo)")
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: fleet.mirrors + "/.skein/worktrees")) ?? []
        #expect(leftovers.isEmpty)
    }

    @Test func pushAutomergeSquashDetectionAndRollback() throws {
        let fleet = FleetFixture(testCommand: "true")
        _ = fleet.run()
        let pushed = skein(["push", "--mirrors", fleet.mirrors, "plays-v2"])
        #expect(pushed.status == 0, "\(pushed.stderr)")

        // Branches and the ledger reached the upstreams.
        let topTracks = fleet.upstream("top-tracks")
        #expect(git("rev-parse", "skein/plays-v2", in: topTracks) == git("rev-parse", "skein/plays-v2", in: fleet.mirror("top-tracks")))
        #expect(git("notes", "--ref=skein", "show", "skein/plays-v2", in: topTracks).contains("tests-passed"))
        // The baseline cache is this machine's: it stays behind.
        #expect(!git("notes", "--ref=skein-baseline", "list", in: fleet.mirror("top-tracks")).isEmpty)
        #expect(gitResult(["rev-parse", "--verify", "-q", "refs/notes/skein-baseline"], in: topTracks).status != 0)
        // play-counter opted into automerge: its main now contains the migration.
        let playCounter = fleet.upstream("play-counter")
        #expect(gitResult(["merge-base", "--is-ancestor", "skein/plays-v2", "main"], in: playCounter).status == 0)
        // top-tracks did not.
        #expect(gitResult(["merge-base", "--is-ancestor", "skein/plays-v2", "main"], in: topTracks).status != 0)

        // A reviewer squash-merges top-tracks' branch upstream; after a sync, status says merged.
        let clone = fleet.directory.url("review")
        git("clone", "-q", topTracks, clone, in: fleet.root)
        git("merge", "-q", "--squash", "origin/skein/plays-v2", in: clone)
        git("commit", "-q", "-m", "Adopt plays v2", in: clone)
        git("push", "-q", "origin", "main", in: clone)
        #expect(skein(["mirror", "sync", "--mirrors", fleet.mirrors]).status == 0)
        let status = skein(["status", "--mirrors", fleet.mirrors, "plays-v2", "--json"])
        let repos = ((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["migrations"] as? [[String: Any]])?
            .first?["repos"] as? [[String: Any]] ?? []
        let statusOf = Dictionary(uniqueKeysWithValues: repos.map { ($0["repo"] as! String, $0["status"] as! String) })
        #expect(statusOf["top-tracks"] == "merged")
        #expect(statusOf["play-counter"] == "merged")
        #expect(statusOf["reporting"] == "tests-passed")
        // A later run keeps them merged (automerged and squash-merged alike), never needs-human.
        _ = fleet.run()
        #expect(fleet.status("top-tracks") != "needs-human")
        #expect(fleet.status("play-counter") != "needs-human")
        let again = skein(["status", "--mirrors", fleet.mirrors, "plays-v2", "--json"]).stdout
        let reposAgain = ((try JSONSerialization.jsonObject(with: Data(again.utf8)) as? [String: Any])?["migrations"] as? [[String: Any]])?
            .first?["repos"] as? [[String: Any]] ?? []
        let statusAgain = Dictionary(uniqueKeysWithValues: reposAgain.map { ($0["repo"] as! String, $0["status"] as! String) })
        #expect(statusAgain["top-tracks"] == "merged")
        #expect(statusAgain["play-counter"] == "merged")
        // The ledger survived the sync.
        #expect(fleet.status("reporting") == "tests-passed")

        // Rollback: unmerged branches go (here and upstream); merged ones get a revert branch.
        let rolled = skein(["rollback", "--mirrors", fleet.mirrors, "plays-v2"])
        #expect(rolled.status == 0, "\(rolled.stderr)")
        #expect(gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/plays-v2"], in: fleet.mirror("reporting")).status != 0)
        #expect(gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/plays-v2"], in: fleet.upstream("reporting")).status != 0)
        let revert = git("show", "skein/plays-v2-rollback:Sources/PlayCounter/PlayEvent.swift", in: fleet.mirror("play-counter"))
        #expect(revert.contains("case trackID = \"track_id\""))
        #expect(fleet.status("reporting") == "rolled-back")
        #expect(fleet.status("play-counter") == "rolled-back")
    }

    @Test func threeMachinesShardTheFleetAndTheirLedgersMergeUpstream() throws {
        let fleet = FleetFixture(testCommand: "true")
        let upstreams = try FileManager.default.contentsOfDirectory(atPath: fleet.directory.url("upstreams")).sorted()
            .map { fleet.directory.url("upstreams/\($0)") }
        let machines = (0..<3).map { fleet.directory.url("machine-\($0)") }
        for mirrors in machines {
            #expect(skein(["mirror", "add", "--mirrors", mirrors] + upstreams).status == 0)
        }
        let runs = try machines.enumerated().map { index, mirrors in
            try startSkein(["run", "--registry", fleet.registry, "--mirrors", mirrors, "--shard", "\(index)/3"])
        }
        runs.forEach { $0.waitUntilExit() }
        for mirrors in machines {
            _ = skein(["push", "--mirrors", mirrors, "plays-v2"])
        }
        for repo in consumersOfPlays {
            let lines = fleet.upstreamLedgerLines(repo)
            // One outcome per consumer (an automerge adds its own `merged` line after it).
            let outcomes = lines.filter { $0.contains("\"migration\":\"plays-v2\"") && !$0.contains("\"status\":\"merged\"") }
            #expect(outcomes.count == 1, "\(repo): \(lines)")
        }
        // After a sync, any one machine's status sees the whole fleet.
        #expect(skein(["mirror", "sync", "--mirrors", machines[0]]).status == 0)
        let status = skein(["status", "--mirrors", machines[0], "plays-v2", "--json"])
        let repos = ((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["migrations"] as? [[String: Any]])?
            .first?["repos"] as? [[String: Any]] ?? []
        #expect(Set(repos.compactMap { $0["repo"] as? String }) == consumersOfPlays)
    }

    @Test func metricsAndRetryFailed() throws {
        let fleet = FleetFixture(testCommand: "true")
        let metrics = fleet.directory.url("metrics.json")
        _ = fleet.run(["--metrics", metrics])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metrics))) as? [String: Any]
        let migration = (json?["migrations"] as? [[String: Any]])?.first
        #expect(migration?["id"] as? String == "plays-v2")
        #expect(migration?["consumers"] as? Int == consumersOfPlays.count)
        #expect((migration?["counts"] as? [String: Int])?["needs-human"] == 1)
        #expect((migration?["phase_seconds"] as? [String: Double])?["rewrite"] != nil)
        #expect(migration?["success_rate"] as? Double != nil)

        // A plain re-run keeps every final outcome; --retry-failed redoes the needs-human one.
        _ = fleet.run()
        #expect(fleet.ledger("client-audit").count == 1)
        _ = fleet.run(["--retry-failed"])
        #expect(fleet.ledger("client-audit").count == 2)
        #expect(fleet.ledger("top-tracks").count == 1)
    }

    @Test func sigtermStopsStartingConsumersAndFinishesTheRunningOnes() throws {
        let fleet = FleetFixture(testCommand: "sleep 1")
        let process = try startSkein(["run", "--registry", fleet.registry, "--mirrors", fleet.mirrors, "--jobs", "1"])
        Thread.sleep(forTimeInterval: 3)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        let recorded = consumersOfPlays.filter { fleet.status($0) != nil }
        #expect(!recorded.isEmpty)
        #expect(recorded.count < consumersOfPlays.count)
        for repo in recorded {
            if let commit = fleet.ledger(repo).last?["commit"] as? String {
                #expect(git("rev-parse", "skein/plays-v2", in: fleet.mirror(repo)) == commit)
            }
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: fleet.mirrors + "/.skein/worktrees")) ?? []
        #expect(leftovers.isEmpty)
        // The next run finishes the rest.
        _ = fleet.run()
        #expect(consumersOfPlays.allSatisfy { fleet.status($0) != nil })
    }
    @Test func aRunRuleChangesFilesInTheSandboxAndTheyAreCommittedWithTheRewrites() throws {
        let fleet = FleetFixture(testCommand: "true")
        let migration = fleet.directory.url("regenerate.yaml")
        try """
            id: regenerate
            datasets: [plays]
            rules:
              - replaceString: { from: "gs://listening-data/plays/v1", to: "gs://listening-data/plays/v3" }
              - run: { command: "printf 'regenerated\\n' > GENERATED.txt && rm catalog-info.yaml" }
            """.write(toFile: migration, atomically: true, encoding: .utf8)
        let result = fleet.run(["--migration", migration, "--only", "top-tracks"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(fleet.status("top-tracks", migration: "regenerate") == "tests-passed")

        // The command's new file, its deletion and the typed edits are all on the branch, in
        // objects git reads back whole.
        let mirror = fleet.mirror("top-tracks")
        #expect(git("show", "skein/regenerate:GENERATED.txt", in: mirror) == "regenerated")
        let changed = git("diff", "--name-status", "main", "skein/regenerate", in: mirror)
        #expect(changed.contains("A\tGENERATED.txt"), "\(changed)")
        #expect(changed.contains("D\tcatalog-info.yaml"), "\(changed)")
        #expect(git("grep", "-c", "gs://listening-data/plays/v3", "skein/regenerate", in: mirror).contains(":"))
        #expect(gitResult(["fsck", "--strict"], in: mirror).status == 0)
    }

    @Test func whatTheTestsLeaveInTheWorktreeIsNeverTakenForARunRulesOutput() throws {
        let fleet = FleetFixture(testCommand: "echo junk > LEFT-BY-TESTS.txt; echo junk >> catalog-info.yaml")
        let migration = fleet.directory.url("regenerate.yaml")
        try """
            id: regenerate
            datasets: [plays]
            rules:
              - run: { command: "printf 'regenerated\\n' > GENERATED.txt" }
            """.write(toFile: migration, atomically: true, encoding: .utf8)
        let result = fleet.run(["--migration", migration, "--only", "top-tracks"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let mirror = fleet.mirror("top-tracks")
        let changed = git("diff", "--name-status", "main", "skein/regenerate", in: mirror)
        #expect(changed == "A\tGENERATED.txt", "\(changed)")
    }
}
