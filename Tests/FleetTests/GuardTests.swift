import Foundation
import Testing
import TestSupport

/// The consumer's pre-commit guard (`skein check --staged` from the installed hook) on real
/// commits: it reads the index git names (`commit -a`, `commit FILE`, `commit --amend`), refuses
/// only what the commit adds, and says whose guard it is, what to merge and how to bypass it.
@Suite struct GuardTests {
    @Test func theHookRefusesANewRetiredUseAndLetsAnOldFileBeEdited() throws {
        let world = CatchUpFleetTests.World(consumers: ["behind": CatchUpFleetTests.consumer(track: "track_id", msType: "Int32", location: 1)])
        // The registry's newest commit edits a comment only: the guard still knows every version.
        commit(files: ["datasets/plays.yaml": "# Plays.\n" + CatchUpFleetTests.versions[3]], in: world.registry, message: "comment")
        let checkout = world.directory.url("checkout")
        git("clone", "-q", world.upstream("behind"), checkout, in: world.directory.path)
        #expect(skein(["hook", "install", "--consumer", checkout, "--registry", world.registry]).status == 0)

        // A comment in a file that already held retired names is not the commit's doing.
        let source = checkout + "/Sources/App/PlayEvent.swift"
        let original = try String(contentsOfFile: source, encoding: .utf8)
        try ("// Rows of the plays dataset.\n" + original).write(toFile: source, atomically: true, encoding: .utf8)
        let comment = gitResult(["commit", "-q", "-a", "-m", "comment"], in: checkout)
        #expect(comment.status == 0, "\(comment.stderr)")

        // `commit -a` of a new use of an old location: refused, once, with the advice.
        let edited = try String(contentsOfFile: source, encoding: .utf8) + "\nlet archive = \"gs://listening-data/plays/v2/archive\"\n"
        try edited.write(toFile: source, atomically: true, encoding: .utf8)
        let refused = gitResult(["commit", "-q", "-a", "-m", "archive"], in: checkout)
        let said = refused.stdout + refused.stderr
        #expect(refused.status != 0)
        let finding = "Sources/App/PlayEvent.swift:10: gs://listening-data/plays/v2/archive → gs://listening-data/plays/v4/archive (plays-v4)"
        #expect(said.components(separatedBy: finding).count == 2, "\(said)")
        #expect(!said.contains("PlayEvent.swift:4:"), "old uses are not refused: \(said)")
        #expect(said.contains("skein pre-commit guard"))
        #expect(said.contains("skein/plays-v4"))
        #expect(said.contains("git commit --no-verify"))
        // The same through `commit FILE` and `commit --amend`.
        #expect(gitResult(["commit", "-q", "-m", "archive", "Sources/App/PlayEvent.swift"], in: checkout).status != 0)
        #expect(gitResult(["commit", "-q", "-a", "--amend", "-m", "comment and archive"], in: checkout).status != 0)
        #expect(git("log", "-1", "--format=%s", in: checkout) == "comment")
        // The bypass works.
        #expect(gitResult(["commit", "-q", "-a", "--no-verify", "-m", "archive anyway"], in: checkout).status == 0)

        // Without --staged, `check` lists every use, old ones included.
        let check = skein(["check", "--registry", world.registry, checkout])
        #expect(check.status == 1)
        #expect(check.stdout.contains("Sources/App/PlayEvent.swift:4: track_id → track_ref (plays-v4)"), "\(check.stdout)")
        #expect(check.stdout.contains("Sources/App/PlayEvent.swift:10: gs://listening-data/plays/v2/archive"))
    }
}
