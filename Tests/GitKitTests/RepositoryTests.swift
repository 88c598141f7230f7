import Foundation
import Testing
import TestSupport
@testable import GitKit

@Suite struct RepositoryTests {
    @Test func readsFilesOfACommitWithoutACheckout() throws {
        let directory = TemporaryDirectory()
        let upstream = makeUpstream(in: directory)
        _ = try Mirror.add(source: upstream, in: directory.url("mirrors"))
        let repository = try Repository.open(directory.url("mirrors/service.git"))
        let (branch, head) = try repository.defaultBranch()
        #expect(branch == "refs/heads/trunk")
        let text = try repository.file(at: "README.md", in: head).map { String(decoding: $0, as: UTF8.self) }
        #expect(text == "hello again\n")
        #expect(try repository.file(at: "missing.txt", in: head) == nil)
        let paths = try repository.files(in: head).map(\.path).sorted()
        #expect(paths == ["README.md", "Sources/App/main.swift"])
        #expect(try repository.files(in: head, under: "Sources").map(\.path) == ["Sources/App/main.swift"])
        let first = try repository.resolve("trunk~1")
        #expect(try repository.isAncestor(first, of: head))
        #expect(try !repository.isAncestor(head, of: first))
    }

    @Test func worktreeCommitAndNoteAreVisibleToGit() throws {
        let directory = TemporaryDirectory()
        let upstream = makeUpstream(in: directory)
        _ = try Mirror.add(source: upstream, in: directory.url("mirrors"))
        let mirrorPath = directory.url("mirrors/service.git")
        let mirror = try Repository.open(mirrorPath)
        let base = try mirror.defaultBranch().commit
        let worktreePath = directory.url("work/service")
        let worktree = try Worktree.add(
            to: mirror, name: "service-plays-v2", path: worktreePath, branch: "refs/heads/skein/plays-v2", at: base)
        #expect(git("worktree", "list", in: mirrorPath).contains(worktreePath))
        #expect(FileManager.default.fileExists(atPath: worktreePath + "/README.md"))

        try "changed\n".write(toFile: worktreePath + "/README.md", atomically: true, encoding: .utf8)
        let checkout = try Repository.open(worktreePath)
        let tree = try checkout.stage(["README.md"])
        let signature = Signature(name: "skein", email: "skein@localhost")
        let made = try checkout.createCommit(
            tree: tree, parents: [base], message: "skein: plays-v2: rename\n\nSkein-Migration: plays-v2\n",
            author: signature, committer: signature, updating: "HEAD")
        #expect(git("rev-parse", "skein/plays-v2", in: mirrorPath) == made.hex)
        #expect(git("log", "-1", "--format=%an <%ae> %s", "skein/plays-v2", in: mirrorPath) == "skein <skein@localhost> skein: plays-v2: rename")
        #expect(git("show", "skein/plays-v2:README.md", in: mirrorPath) == "changed")
        #expect(git("status", "--porcelain", in: worktreePath) == "")

        try mirror.setNote("{\"status\":\"tests-passed\"}\n", on: made, ref: "refs/notes/skein", by: signature)
        #expect(git("notes", "--ref=skein", "show", "skein/plays-v2", in: mirrorPath) == "{\"status\":\"tests-passed\"}")

        try worktree.remove(from: mirror)
        #expect(!git("worktree", "list", in: mirrorPath).contains(worktreePath))
        #expect(!FileManager.default.fileExists(atPath: worktreePath))
        #expect(git("rev-parse", "skein/plays-v2", in: mirrorPath) == made.hex)
    }

    @Test func staleWorktreesArePruned() throws {
        let directory = TemporaryDirectory()
        let upstream = makeUpstream(in: directory)
        _ = try Mirror.add(source: upstream, in: directory.url("mirrors"))
        let mirror = try Repository.open(directory.url("mirrors/service.git"))
        let base = try mirror.defaultBranch().commit
        let path = directory.url("work/service")
        _ = try Worktree.add(to: mirror, name: "service-x", path: path, branch: "refs/heads/skein/x", at: base)
        try FileManager.default.removeItem(atPath: path)
        #expect(try Worktree.pruneStale(in: mirror) == ["service-x"])
        #expect(try Worktree.names(in: mirror).isEmpty)
        // The same name can be used again afterwards.
        _ = try Worktree.add(to: mirror, name: "service-x", path: path, branch: "refs/heads/skein/x", at: base)
        #expect(FileManager.default.fileExists(atPath: path + "/README.md"))
    }

    @Test func worktreeConfigRepositoriesAreReportedClearly() throws {
        let directory = TemporaryDirectory()
        let upstream = makeUpstream(in: directory)
        _ = try Mirror.add(source: upstream, in: directory.url("mirrors"))
        let mirrorPath = directory.url("mirrors/service.git")
        git("config", "extensions.worktreeConfig", "true", in: mirrorPath)
        let mirror = try Repository.open(mirrorPath)
        let base = try mirror.defaultBranch().commit
        do {
            _ = try Worktree.add(to: mirror, name: "w", path: directory.url("w"), branch: "refs/heads/skein/w", at: base)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("extensions.worktreeConfig"))
            #expect(error.description.contains("service.git"))
        }
    }

    @Test func errorsNameTheRepositoryAndOperation() {
        let directory = TemporaryDirectory()
        do {
            _ = try Repository.open(directory.url("not-a-repo"))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("not-a-repo"))
            #expect(error.description.contains("open"))
        }
    }
}
