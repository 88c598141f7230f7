import Foundation
import Testing
import TestSupport
@testable import GitKit

/// Pushing to a local non-bare repository, which libgit2's local transport refuses.
@Suite struct LocalPushTests {
    @Test func branchesLandButTheCheckedOutBranchAndNonFastForwardsAreRefused() throws {
        let directory = TemporaryDirectory()
        let upstream = makeUpstream(in: directory)
        _ = try Mirror.add(source: upstream, in: directory.url("mirrors"), policy: testPolicy)
        let mirrorPath = directory.url("mirrors/service.git")
        let trunk = git("rev-parse", "trunk", in: upstream)
        // The mirror gets a commit on a new branch and on its trunk.
        let scratch = directory.url("scratch")
        git("clone", "-q", mirrorPath, scratch, in: directory.path)
        commit(files: ["README.md": "migrated\n"], in: scratch, message: "migrate")
        git("push", "-q", "origin", "HEAD:refs/heads/skein/m", "HEAD:refs/heads/trunk", in: scratch)
        let migrated = git("rev-parse", "HEAD", in: scratch)
        let mirror = try Repository.open(mirrorPath)

        try mirror.push(to: upstream, refspecs: ["+refs/heads/skein/m:refs/heads/skein/m"])
        #expect(git("rev-parse", "skein/m", in: upstream) == migrated)
        try mirror.push(to: "file://" + upstream, refspecs: ["refs/heads/skein/m:refs/heads/skein/m"])

        // The branch checked out upstream is never moved, forced or not.
        #expect(throws: GitError.self) { try mirror.push(to: upstream, refspecs: ["+refs/heads/trunk:refs/heads/trunk"]) }
        #expect(git("rev-parse", "trunk", in: upstream) == trunk)
        #expect(git("status", "--porcelain", in: upstream).isEmpty)

        // A ref that is not a fast-forward is refused unless forced.
        git("update-ref", "refs/heads/feature", trunk, in: mirrorPath)
        git("update-ref", "refs/heads/other", migrated, in: upstream)
        #expect(throws: GitError.self) { try mirror.push(to: upstream, refspecs: ["refs/heads/feature:refs/heads/other"]) }
        #expect(git("rev-parse", "other", in: upstream) == migrated)
        try mirror.push(to: upstream, refspecs: ["+refs/heads/feature:refs/heads/other"])
        #expect(git("rev-parse", "other", in: upstream) == trunk)

        // Deleting, and nothing left behind from staging.
        try mirror.push(to: upstream, refspecs: [":refs/heads/skein/m"])
        #expect(gitResult(["rev-parse", "--verify", "-q", "refs/heads/skein/m"], in: upstream).status != 0)
        #expect(git("for-each-ref", "refs/skein", in: upstream).isEmpty)
    }
}
