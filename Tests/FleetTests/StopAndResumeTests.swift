import Foundation
import Testing
import TestSupport

/// Runs that are stopped (signals) or killed (SIGKILL at any moment) end cleanly: the exit
/// code says so, nothing keeps running, and the next run ends where an undisturbed run ends.
@Suite(.serialized) struct StopAndResumeTests {
    /// Waits up to `limit` seconds for `process`; kills it and returns false when it does not end.
    func waitForExit(_ process: Process, limit: Double) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        return true
    }

    func processes(matching pattern: String) -> String {
        runProgram("/usr/bin/pgrep", ["-af", pattern]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// SIGTERM (a pod's stop, `kill`) ends the run with 143, SIGINT (Ctrl-C) with 130, as a shell reports them.
    @Test(arguments: [(SIGTERM, Int32(143), "sleep 600.25"), (SIGINT, Int32(130), "sleep 600.26")])
    func aStopKillsRunningStepsAfterTheGraceRecordsThemInterruptedAndExitsAsTheSignalSays(
        _ signal: Int32, _ status: Int32, _ marker: String
    ) throws {
        // A test command that would run for ten minutes: only the stop can end it.
        let fleet = FleetFixture(testCommand: marker)
        let process = try startSkein([
            "run", "--registry", fleet.registry, "--mirrors", fleet.mirrors, "--jobs", "2", "--test-jobs", "2",
            "--sandbox", "none",
        ])
        var started = false
        for _ in 0..<600 where !started {
            Thread.sleep(forTimeInterval: 0.1)
            started = !processes(matching: marker).isEmpty
        }
        #expect(started, "the test command never started")
        kill(process.processIdentifier, signal)
        #expect(waitForExit(process, limit: 120), "skein did not end after signal \(signal)")
        #expect(process.terminationStatus == status)
        #expect(processes(matching: marker).isEmpty, "test processes outlived skein")

        let interrupted = consumersOfPlays.filter { fleet.ledger($0).last?["interrupted"] as? Bool == true }
        #expect(!interrupted.isEmpty)
        for repo in interrupted {
            #expect(fleet.status(repo) == "error")
            #expect((fleet.ledger(repo).last?["error"] as? String ?? "").contains("interrupted"))
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: fleet.mirrors + "/.skein/worktrees")) ?? []
        #expect(leftovers.isEmpty)
    }

    @Test func withoutASandboxTestProcessesDieWithAKilledSkein() throws {
        // The test command leaves a daemon behind (`setsid`), then waits.
        let marker = "sleep 600.35"
        let fleet = FleetFixture(testCommand: "setsid -f \(marker); \(marker)")
        let process = try startSkein([
            "run", "--registry", fleet.registry, "--mirrors", fleet.mirrors, "--jobs", "1", "--sandbox", "none",
        ])
        var started = false
        for _ in 0..<600 where !started {
            Thread.sleep(forTimeInterval: 0.1)
            started = processes(matching: marker).split(separator: "\n").count >= 2
        }
        #expect(started, "the test command never started")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        var gone = false
        for _ in 0..<100 where !gone {
            Thread.sleep(forTimeInterval: 0.1)
            gone = processes(matching: marker).isEmpty
        }
        #expect(gone, "left running: \(processes(matching: marker))")
    }

    @Test func anInterruptedConsumerIsMigratedAgainByTheNextRun() throws {
        let fleet = FleetFixture(testCommand: "true")
        let repo = "top-tracks"
        // A line as a stopped run writes it: the next run must not take it as final.
        let base = git("rev-parse", "HEAD", in: fleet.mirror(repo))
        let line = #"{"at":"2026-01-01T00:00:00.000Z","base":"\#(base)","commit":null,"error":"interrupted: the run was stopped before this consumer finished","interrupted":true,"migration":"plays-v2","repo":"top-tracks","rules":"x","schema_commit":"x","status":"error"}"#
        _ = git("notes", "--ref=skein", "add", "-m", line, base, in: fleet.mirror(repo))
        let run = fleet.run(["--only", repo, "--sandbox", "none"])
        #expect(run.status == 0 || run.status == 1, "\(run.stderr)")
        #expect(fleet.status(repo) == "tests-passed", "\(run.stdout)\(run.stderr)")
    }

    @Test func exitCodesFollowTheContract() throws {
        let fleet = FleetFixture(testCommand: "true")
        // Bad usage: 2, nothing changed.
        #expect(fleet.run(["--jobs", "0"]).status == 2)
        let before = fleet.allRefs()
        // A failure after branches were written is skein's own fault: 3, not "bad input".
        let metrics = fleet.root + "/no/such/folder/metrics.json"
        let run = fleet.run(["--sandbox", "none", "--metrics", metrics])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(fleet.allRefs() != before)

        // A mirror that cannot be read may be a declared consumer: the run says 1, and why.
        let broken = fleet.mirrors + "/broken.git"
        try FileManager.default.createDirectory(atPath: broken + "/objects", withIntermediateDirectories: true)
        try "ref: refs/heads/main\n".write(toFile: broken + "/HEAD", atomically: true, encoding: .utf8)
        let again = fleet.run(["--sandbox", "none"])
        #expect(again.status == 1, "\(again.stdout)\(again.stderr)")
        #expect(again.stderr.contains("broken: skipped"))
    }

    @Test func aVanishedUpstreamIsNamedAsSuch() throws {
        let fleet = FleetFixture(testCommand: "true")
        try FileManager.default.removeItem(atPath: fleet.upstream("weather"))
        let sync = skein(["mirror", "sync", "--mirrors", fleet.mirrors])
        #expect(sync.status == 1)
        #expect((sync.stdout + sync.stderr).contains("no longer exists"), "\(sync.stdout)\(sync.stderr)")
    }

    /// The state a run leaves, compared across runs: each consumer's final status and the tree
    /// of its migration branch.
    func outcome(of fleet: FleetFixture) -> [String: String] {
        var result: [String: String] = [:]
        for repo in consumersOfPlays.sorted() {
            let tree = gitResult(["rev-parse", "--verify", "-q", "skein/plays-v2^{tree}"], in: fleet.mirror(repo)).stdout
            result[repo] = (fleet.status(repo) ?? "none") + " " + tree.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return result
    }

    @Test func runsKilledAtRandomMomentsResumeToTheUndisturbedResult() throws {
        let reference = FleetFixture(testCommand: "true")
        let undisturbed = reference.run(["--sandbox", "none"])
        #expect(undisturbed.status == 1, "\(undisturbed.stderr)")
        let expected = outcome(of: reference)

        var generator = SystemRandomNumberGenerator()
        for trial in 0..<8 {
            let fleet = FleetFixture(testCommand: "sleep 0.2")
            // Kill one to three times at random moments, then let a run finish.
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let process = try startSkein([
                    "run", "--registry", fleet.registry, "--mirrors", fleet.mirrors, "--sandbox", "none", "--jobs", "3",
                ])
                Thread.sleep(forTimeInterval: Double.random(in: 0.05...2.5, using: &generator))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            let resumed = fleet.run(["--sandbox", "none"])
            #expect(resumed.status == 1, "trial \(trial): \(resumed.stderr)")
            var got = outcome(of: fleet)
            // The kill may land after a consumer's tests ran with `sleep`: statuses and trees
            // are what count, and they do not depend on the test command.
            #expect(got == expected, "trial \(trial)")
            got.removeAll()

            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: fleet.mirrors + "/.skein/worktrees")) ?? []
            #expect(leftovers.isEmpty, "trial \(trial): \(leftovers)")
            for repo in consumersOfPlays {
                let mirror = fleet.mirror(repo)
                #expect(gitResult(["fsck", "--no-progress"], in: mirror).status == 0, "trial \(trial): \(repo)")
                #expect(git("worktree", "list", in: mirror).split(separator: "\n").count == 1, "trial \(trial): \(repo)")
                let branches = git("for-each-ref", "--format=%(refname)", "refs/heads/skein/", in: mirror)
                for branch in branches.split(separator: "\n") {
                    let tip = git("rev-parse", String(branch), in: mirror)
                    let note = gitResult(["notes", "--ref=skein", "show", tip], in: mirror)
                    #expect(note.status == 0 && note.stdout.contains("\"plays-v2\""), "trial \(trial): \(repo) \(branch) has no ledger line")
                }
            }
        }
    }
}
