import Foundation
import Testing
import TestSupport

/// Registry hooks: a commit or push of a schema change starts a run in the background.
@Suite struct TriggerTests {
    static let v3 = """
        name: plays
        version: 3
        location: gs://listening-data/plays/v3
        owner: team-listening
        swift:
          record: PlayEvent
        fields:
          - name: listener_id
            type: string
            previously: user_id
          - name: track_uri
            type: string
          - name: ms_played
            type: int64
          - name: context
            type: string
            nullable: true

        """

    static var v4: String { v3.replacingOccurrences(of: "version: 3", with: "version: 4")
        .replacingOccurrences(of: "plays/v3", with: "plays/v4")
        .replacingOccurrences(of: "    previously: user_id\n", with: "") }

    func waitFor(_ seconds: Double = 240, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return condition()
    }

    @Test func aSchemaCommitStartsRunsInTheBackgroundInOrder() throws {
        let fleet = FleetFixture(testCommand: "sleep 1")
        let installed = skein(["hook", "install", "--registry", fleet.registry, "--mirrors", fleet.mirrors])
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(FileManager.default.isExecutableFile(atPath: fleet.registry + "/.git/hooks/post-commit"))

        commit(files: ["datasets/plays.yaml": Self.v3], in: fleet.registry, message: "plays v3")
        // The commit returned before the run could have finished (its tests alone sleep).
        #expect(fleet.ledger("top-tracks", migration: "plays-v3").isEmpty)
        commit(files: ["datasets/plays.yaml": Self.v4], in: fleet.registry, message: "plays v4")

        #expect(waitFor { fleet.status("top-tracks", migration: "plays-v4") != nil })
        let v3 = fleet.ledger("top-tracks", migration: "plays-v3").last
        let v4 = fleet.ledger("top-tracks", migration: "plays-v4").last
        #expect(v3?["status"] as? String == "tests-passed")
        #expect((v3?["at"] as? String ?? "~") < (v4?["at"] as? String ?? ""))
        let renamed = git("show", "skein/plays-v3:Sources/TopTracks/PlayEvent.swift", in: fleet.mirror("top-tracks"))
        #expect(renamed.contains("public var listener_id: String"))
        let logs = try FileManager.default.contentsOfDirectory(atPath: fleet.registry + "/.git/skein/logs")
        #expect(!logs.isEmpty)
    }

    @Test func aFailingSkeinNeverFailsTheCommitAndExistingHooksAreKept() throws {
        let directory = TemporaryDirectory()
        let registry = directory.url("registry")
        makeRepository(at: registry, files: ["datasets/plays.yaml": Self.v3])
        let hooks = registry + "/.git/hooks"
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        let marker = directory.url("old-hook-ran")
        try "#!/bin/sh\ntouch \(marker)\n".write(toFile: hooks + "/post-commit", atomically: true, encoding: .utf8)
        chmod(hooks + "/post-commit", 0o755)
        #expect(skein(["hook", "install", "--registry", registry]).status == 0)
        #expect(FileManager.default.fileExists(atPath: hooks + "/post-commit.skein-chained"))
        // skein itself fails (a binary that always exits 1): the commit still succeeds.
        git("config", "skein.binary", "/bin/false", in: registry)
        let result = gitResult(["commit", "-q", "--allow-empty", "-m", "x"], in: registry)
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    @Test func aRelativeCoreHooksPathGetsTheHooksAndItsExistingHookStillRunsFirst() throws {
        let directory = TemporaryDirectory()
        let registry = directory.url("registry")
        makeRepository(at: registry, files: ["README.md": "r\n"])
        git("config", "core.hooksPath", ".githooks", in: registry)
        let hooks = registry + "/.githooks"
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        // The team's hook notes whether skein's trigger has left anything yet.
        let order = directory.url("order")
        try "#!/bin/sh\n[ -e .git/skein ] && echo after >> \(order) || echo before >> \(order)\n"
            .write(toFile: hooks + "/post-commit", atomically: true, encoding: .utf8)
        chmod(hooks + "/post-commit", 0o755)

        // Installed from elsewhere: the relative path is the working tree's, as for git.
        let installed = skein(["hook", "install", "--registry", registry], in: directory.path)
        #expect(installed.status == 0, "\(installed.stderr)")
        let gitHook = git("rev-parse", "--path-format=absolute", "--git-path", "hooks/post-commit", in: registry)
        #expect(gitHook == hooks + "/post-commit")
        #expect(installed.trimmed == "installed \(gitHook)")
        #expect(FileManager.default.isExecutableFile(atPath: hooks + "/post-commit"))
        #expect(FileManager.default.isExecutableFile(atPath: hooks + "/post-commit.skein-chained"))
        #expect(!FileManager.default.fileExists(atPath: registry + "/.git/hooks/post-commit"))
        #expect(!FileManager.default.fileExists(atPath: directory.url(".githooks")))

        // A dataset commit: git runs the team's hook, then skein's, which queues a run.
        commit(files: ["datasets/plays.yaml": Self.v3], in: registry, message: "plays v3")
        #expect(try String(contentsOfFile: order, encoding: .utf8) == "before\n")
        // The queued run ends (with no mirrors, at once) and leaves the queue empty.
        let logs = registry + "/.git/skein/logs"
        #expect(waitFor(60) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []
            let finished = names.contains {
                ((try? String(contentsOfFile: logs + "/" + $0, encoding: .utf8)) ?? "").contains("finished with exit code")
            }
            return finished && (try? String(contentsOfFile: registry + "/.git/skein/queue", encoding: .utf8)) == ""
        })
    }

    @Test func aCoreHooksPathUnderHomeIsExpandedWithHomeAsGitDoes() throws {
        let directory = TemporaryDirectory()
        let registry = directory.url("registry")
        makeRepository(at: registry, files: ["README.md": "r\n"])
        let home = directory.url("home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let folder = "skein-hooks-\(UInt32.random(in: 100_000...999_999))"
        // Should HOME ever be ignored again, what lands in the account's real home is removed.
        defer { try? FileManager.default.removeItem(atPath: NSHomeDirectory() + "/" + folder) }
        git("config", "core.hooksPath", "~/" + folder, in: registry)

        let installed = skein(["hook", "install", "--registry", registry], environment: ["HOME": home])
        #expect(installed.status == 0, "\(installed.stderr)")
        let gitHook = runProgram(
            "git", ["rev-parse", "--path-format=absolute", "--git-path", "hooks/post-commit"], in: registry,
            environment: isolatedGitEnvironment.merging(["HOME": home]) { $1 }).trimmed
        #expect(gitHook == home + "/" + folder + "/post-commit")
        #expect(installed.trimmed == "installed \(gitHook)")
        #expect(FileManager.default.isExecutableFile(atPath: gitHook))
    }

    @Test func aPushToABareRegistryTriggersARun() throws {
        let fleet = FleetFixture(testCommand: "true")
        let bare = fleet.directory.url("registry.git")
        git("clone", "-q", "--bare", fleet.registry, bare, in: fleet.root)
        #expect(skein(["hook", "install", "--registry", bare, "--mirrors", fleet.mirrors]).status == 0)
        #expect(FileManager.default.isExecutableFile(atPath: bare + "/hooks/post-receive"))
        git("remote", "add", "hub", bare, in: fleet.registry)
        commit(files: ["datasets/plays.yaml": Self.v3], in: fleet.registry, message: "plays v3")
        git("push", "-q", "hub", "main", in: fleet.registry)
        #expect(waitFor { fleet.status("top-tracks", migration: "plays-v3") != nil })
    }

    @Test func checkListsRetiredUsesAndThePreCommitHookRefusesThem() throws {
        let fleet = FleetFixture(testCommand: "true")
        let checkout = fleet.directory.url("top-tracks")
        git("clone", "-q", fleet.upstream("top-tracks"), checkout, in: fleet.root)
        let check = skein(["check", "--registry", fleet.registry, checkout])
        #expect(check.status == 1)
        #expect(check.stdout.contains("Sources/TopTracks/PlayEvent.swift:6: track_id → track_uri (plays-v2)"), "\(check.stdout)")
        #expect(!check.stdout.contains("Sources/TopTracks/PlayEvent.swift:16"))

        let clean = fleet.directory.url("weather")
        git("clone", "-q", fleet.upstream("weather"), clean, in: fleet.root)
        #expect(skein(["check", "--registry", fleet.registry, clean]).status == 0)

        #expect(skein(["hook", "install", "--consumer", checkout, "--registry", fleet.registry]).status == 0)
        // A commit that adds a new use of the old location is refused, with the finding.
        try "let legacy = \"gs://listening-data/plays/v1/extra\"\n".write(
            toFile: checkout + "/Sources/TopTracks/Legacy.swift", atomically: true, encoding: .utf8)
        git("add", "Sources/TopTracks/Legacy.swift", in: checkout)
        let refused = gitResult(["commit", "-q", "-m", "legacy"], in: checkout)
        #expect(refused.status != 0)
        #expect((refused.stdout + refused.stderr).contains("Sources/TopTracks/Legacy.swift:1"))
        // A commit that touches nothing retired goes through.
        try FileManager.default.removeItem(atPath: checkout + "/Sources/TopTracks/Legacy.swift")
        try "let fine = 1\n".write(toFile: checkout + "/Sources/TopTracks/Fine.swift", atomically: true, encoding: .utf8)
        git("add", "-A", in: checkout)
        #expect(gitResult(["commit", "-q", "-m", "fine"], in: checkout).status == 0)
    }

    @Test func installedHookScriptsAreTheOnesInHooks() throws {
        let directory = TemporaryDirectory()
        let registry = directory.url("registry")
        makeRepository(at: registry, files: ["README.md": "r\n"])
        #expect(skein(["hook", "install", "--registry", registry]).status == 0)
        let installed = try String(contentsOfFile: registry + "/.git/hooks/post-commit", encoding: .utf8)
        #expect(installed == (try String(contentsOfFile: packageRoot + "/hooks/post-commit", encoding: .utf8)))
        let bare = directory.url("bare.git")
        git("init", "-q", "--bare", bare, in: directory.path)
        #expect(skein(["hook", "install", "--registry", bare]).status == 0)
        #expect(try String(contentsOfFile: bare + "/hooks/post-receive", encoding: .utf8)
            == (try String(contentsOfFile: packageRoot + "/hooks/post-receive", encoding: .utf8)))
        let consumer = directory.url("consumer")
        makeRepository(at: consumer, files: ["README.md": "c\n"])
        #expect(skein(["hook", "install", "--consumer", consumer, "--registry", registry]).status == 0)
        #expect(try String(contentsOfFile: consumer + "/.git/hooks/pre-commit", encoding: .utf8)
            == (try String(contentsOfFile: packageRoot + "/hooks/pre-commit", encoding: .utf8)))
    }
}
