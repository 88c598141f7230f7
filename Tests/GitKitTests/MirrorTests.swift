import Foundation
import Testing
import TestSupport
@testable import GitKit

/// The policy skein's Ledger gives mirrors, spelled here: GitKit's tests see no product module.
let testPolicy = MirrorPolicy(
    ownBranchPrefix: "refs/heads/skein/", ledgerRef: "refs/notes/skein", upstreamLedgerRef: "refs/skein/upstream-notes")

/// An upstream whose default branch is `trunk` (not `master`), with a second branch and a tag.
func makeUpstream(in directory: TemporaryDirectory, name: String = "service") -> String {
    let path = directory.url("upstream/\(name)")
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    git("init", "-q", "-b", "trunk", in: path)
    commit(files: ["README.md": "hello\n", "Sources/App/main.swift": "print(1)\n"], in: path, message: "first")
    git("branch", "feature", in: path)
    git("tag", "v1", in: path)
    commit(files: ["README.md": "hello again\n"], in: path, message: "second")
    return path
}

func refs(_ path: String, _ pattern: String = "refs/heads refs/tags") -> String {
    git("for-each-ref", "--format=%(refname) %(objectname)", pattern, in: path)
}

@Suite struct MirrorTests {
    @Test func mirrorHasTheUpstreamsHeadAndBranches() throws {
        let directory = TemporaryDirectory()
        let upstream = makeUpstream(in: directory)
        let result = try Mirror.add(source: upstream, in: directory.url("mirrors"), policy: testPolicy)
        let mirror = directory.url("mirrors/service.git")
        #expect(result.created)
        #expect(git("symbolic-ref", "HEAD", in: mirror) == "refs/heads/trunk")
        #expect(git("rev-parse", "HEAD", in: mirror) == git("rev-parse", "HEAD", in: upstream))
        #expect(refs(mirror, "refs/heads") == refs(upstream, "refs/heads"))
        #expect(git("rev-parse", "v1", in: mirror) == git("rev-parse", "v1", in: upstream))
        #expect(git("rev-parse", "--is-bare-repository", in: mirror) == "true")
        #expect(git("config", "notes.rewriteRef", in: mirror) == "refs/notes/skein")
    }

    @Test func syncFollowsTheUpstreamAndKeepsSkeinRefs() throws {
        let directory = TemporaryDirectory()
        let upstream = makeUpstream(in: directory)
        _ = try Mirror.add(source: upstream, in: directory.url("mirrors"), policy: testPolicy)
        let mirrorPath = directory.url("mirrors/service.git")
        let repository = try Repository.open(mirrorPath)
        let head = try repository.resolve("HEAD")
        try repository.setReference("refs/heads/skein/plays-v2", to: head, message: "test")
        try repository.setNote("{\"migration\":\"plays-v2\"}\n", on: head, ref: "refs/notes/skein", by: .skein)

        let moved = commit(files: ["README.md": "third\n"], in: upstream, message: "third")
        git("branch", "-D", "feature", in: upstream)
        git("branch", "hotfix", in: upstream)

        let result = try Mirror(name: "service", path: mirrorPath).sync(policy: testPolicy)
        #expect(result.head?.hex == moved)
        #expect(result.deletedReferences == 1)
        #expect(git("rev-parse", "refs/heads/trunk", in: mirrorPath) == moved)
        #expect(git("rev-parse", "refs/heads/hotfix", in: mirrorPath) == moved)
        #expect(gitResult(["rev-parse", "--verify", "-q", "refs/heads/feature"], in: mirrorPath).status != 0)
        #expect(git("rev-parse", "refs/heads/skein/plays-v2", in: mirrorPath) == head.hex)
        #expect(git("notes", "--ref=skein", "show", head.hex, in: mirrorPath) == "{\"migration\":\"plays-v2\"}")
    }

    @Test func anEmptyUpstreamIsMirroredAndSaysSo() throws {
        let directory = TemporaryDirectory()
        let upstream = directory.url("upstream/empty.git")
        try FileManager.default.createDirectory(atPath: upstream, withIntermediateDirectories: true)
        git("init", "-q", "--bare", "-b", "main", in: upstream)
        let result = try Mirror.add(source: upstream, in: directory.url("mirrors"), policy: testPolicy)
        #expect(result.head == nil)
        #expect(result.defaultBranch == nil)
        let repository = try Repository.open(directory.url("mirrors/empty.git"))
        #expect(throws: GitError.self) { try repository.defaultBranch() }
        do {
            _ = try repository.defaultBranch()
        } catch {
            #expect(error.description.contains("no commits"))
        }
    }

    @Test func aMissingSourceIsBadInputAndLeavesNothing() {
        let directory = TemporaryDirectory()
        #expect(throws: (any Error).self) { try Mirror.add(source: directory.url("nope"), in: directory.url("mirrors"), policy: testPolicy) }
        #expect(!FileManager.default.fileExists(atPath: directory.url("mirrors/nope.git")))
    }

    @Test func mirrorNamesComeFromTheSource() {
        #expect(Mirror.name(forSource: "/srv/git/top-tracks.git/") == "top-tracks")
        #expect(Mirror.name(forSource: "https://example.com/org/play-counter.git") == "play-counter")
        #expect(Mirror.name(forSource: "git@example.com:org/reporting") == "reporting")
    }
}
