import Foundation
import Testing
import TestSupport

/// `push` and `rollback` to an upstream that is a local non-bare repo (a checkout someone works
/// in), which libgit2's own transport refuses: the branches and the ledger land, the checked-out
/// branch and its files are never touched, and a rolled-back consumer stays rolled back.
@Suite struct LocalUpstreamTests {
    @Test func pushAndRollbackReachANonBareUpstream() throws {
        let world = CatchUpFleetTests.World(consumers: ["behind": CatchUpFleetTests.consumer(track: "track_id", msType: "Int32", location: 1)])
        let upstream = world.upstream("behind")
        #expect(git("rev-parse", "--is-bare-repository", in: upstream) == "false")
        let main = git("rev-parse", "main", in: upstream)
        #expect(world.run().status == 0)

        let pushed = skein(["push", "--mirrors", world.mirrors, "plays-v4"])
        #expect(pushed.status == 0, "\(pushed.stdout)\n\(pushed.stderr)")
        #expect(git("rev-parse", "skein/plays-v4", in: upstream) == git("rev-parse", "skein/plays-v4", in: world.mirror("behind")))
        let log = git("log", "--notes=skein", "-1", "skein/plays-v4", in: upstream)
        #expect(log.contains("Notes (skein):") && log.contains("\"status\":\"tests-passed\""), "\(log)")
        #expect(git("rev-parse", "main", in: upstream) == main)
        #expect(git("status", "--porcelain", in: upstream).isEmpty)
        // Pushing again is a no-op, not an error.
        #expect(skein(["push", "--mirrors", world.mirrors, "plays-v4"]).status == 0)

        let rolledBack = skein(["rollback", "--mirrors", world.mirrors, "plays-v4"])
        #expect(rolledBack.status == 0, "\(rolledBack.stdout)\n\(rolledBack.stderr)")
        #expect(gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/plays-v4"], in: upstream).status != 0)
        #expect(git("notes", "--ref=skein", "list", in: upstream).split(separator: "\n").count >= 1)
        #expect(world.status("behind", "plays-v4") == "rolled-back")

        // A later run keeps the rollback; --retry-failed redoes it.
        #expect(world.run().status == 0)
        #expect(world.status("behind", "plays-v4") == "rolled-back")
        #expect(gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/plays-v4"], in: world.mirror("behind")).status != 0)
        #expect(world.run(["--retry-failed"]).status == 0)
        #expect(world.status("behind", "plays-v4") == "tests-passed")
    }

    @Test func automergeNeverMovesTheBranchCheckedOutUpstreamButTheLedgerStillLands() throws {
        var files = CatchUpFleetTests.consumer(track: "track_id", msType: "Int32", location: 1)
        files[".skein.yaml"] = "test: { command: \"true\" }\nautomerge: true\n"
        let world = CatchUpFleetTests.World(consumers: ["eager": files])
        let upstream = world.upstream("eager")
        let main = git("rev-parse", "main", in: upstream)
        #expect(world.run().status == 0)
        let pushed = skein(["push", "--mirrors", world.mirrors, "plays-v4"])
        #expect(pushed.status == 1)
        #expect(pushed.stderr.contains("refusing to update the branch checked out"), "\(pushed.stderr)")
        #expect(git("rev-parse", "main", in: upstream) == main)
        #expect(git("status", "--porcelain", in: upstream).isEmpty)
        #expect(git("log", "--notes=skein", "-1", "skein/plays-v4", in: upstream).contains("tests-passed"))
    }
}
