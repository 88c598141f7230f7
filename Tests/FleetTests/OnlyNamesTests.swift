import Foundation
import Testing
import TestSupport

/// `run --only` with a name the fleet does not have is bad usage: exit 2, nothing changed, and
/// the close names listed.
@Suite struct OnlyNamesTests {
    @Test func anUnknownNameIsExitTwoWithTheCloseNames() throws {
        let world = CatchUpFleetTests.World(consumers: ["behind": CatchUpFleetTests.consumer(track: "track_id", msType: "Int32", location: 1)])
        let typo = world.run(["--only", "behnd"])
        #expect(typo.status == 2, "\(typo.stdout)\n\(typo.stderr)")
        #expect(typo.stderr.contains("no consumer `behnd`"))
        #expect(typo.stderr.contains("did you mean `behind`?"), "\(typo.stderr)")

        let unknown = world.run(["--only", "behind,nosuchrepo"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("`nosuchrepo`") && unknown.stderr.contains("it has: behind"), "\(unknown.stderr)")
        #expect(world.ledger("behind", "plays-v4").isEmpty)
        #expect(gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/plays-v4"], in: world.mirror("behind")).status != 0)

        #expect(world.run(["--only", "behind"]).status == 0)
    }
}
