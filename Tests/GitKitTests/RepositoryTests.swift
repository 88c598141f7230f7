import Foundation
import Testing
import TestSupport
@testable import GitKit

/// A mirror of the test upstream, its path, and the commit of its default branch.
private func mirrorOfUpstream(in directory: TemporaryDirectory) throws -> (Repository, String, ObjectID) {
    _ = try Mirror.add(source: makeUpstream(in: directory), in: directory.url("mirrors"), policy: testPolicy)
    let path = directory.url("mirrors/service.git")
    let mirror = try Repository.open(path)
    return (mirror, path, try mirror.defaultBranch().commit)
}

@Suite struct RepositoryTests {
    /// libgit2 writes to the highest config level it has; for a repository whose own config
    /// file is gone that was the user's global config (seen: three `mirror add`s racing on one
    /// mirror wrote `remote.origin.url` into ~/.gitconfig). Writes must stay in the repository.
    @Test func configWritesNeverLeaveTheRepository() throws {
        let directory = TemporaryDirectory()
        let path = directory.url("repo.git")
        let repository = try Repository.initialize(path, bare: true)
        try repository.setConfig("skein.test", "here")
        #expect(git("config", "--file", path + "/config", "skein.test", in: path) == "here")
        // A config file another process removed is written anew, in the repository.
        try FileManager.default.removeItem(atPath: path + "/config")
        try Repository.open(path).setConfig("skein.again", "here")
        #expect(git("config", "--file", path + "/config", "skein.again", in: directory.path) == "here")
        // A repository another process removed whole (a half-made mirror): nothing is written.
        let doomed = try Repository.open(path)
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: GitError.self) { try doomed.setConfig("remote.origin.url", "/elsewhere") }
        #expect(throws: GitError.self) { try doomed.addConfig("remote.origin.fetch", "+refs/*:refs/*") }
    }

    @Test func readsFilesOfACommitWithoutACheckout() throws {
        let directory = TemporaryDirectory()
        let upstream = makeUpstream(in: directory)
        _ = try Mirror.add(source: upstream, in: directory.url("mirrors"), policy: testPolicy)
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
        let (mirror, mirrorPath, base) = try mirrorOfUpstream(in: directory)
        let worktreePath = directory.url("work/service")
        let worktree = try Worktree.add(
            to: mirror, name: "service-plays-v2", path: worktreePath, branch: "refs/heads/skein/plays-v2", at: base)
        #expect(git("worktree", "list", in: mirrorPath).contains(worktreePath))
        #expect(FileManager.default.fileExists(atPath: worktreePath + "/README.md"))

        try "changed\n".write(toFile: worktreePath + "/README.md", atomically: true, encoding: .utf8)
        let checkout = try Repository.open(worktreePath)
        let tree = try checkout.stage([StagedFile(path: "README.md", contents: Data("changed\n".utf8))], onto: try mirror.commit(base).tree)
        let signature = Signature(name: "skein", email: "skein@localhost")
        let made = try checkout.createCommit(
            tree: tree, parents: [base], message: "skein: plays-v2: rename\n\nSkein-Migration: plays-v2\n",
            author: signature, committer: signature, updating: "HEAD")
        #expect(git("rev-parse", "skein/plays-v2", in: mirrorPath) == made.hex)
        #expect(git("log", "-1", "--format=%an <%ae> %s", "skein/plays-v2", in: mirrorPath) == "skein <skein@localhost> skein: plays-v2: rename")
        #expect(git("show", "skein/plays-v2:README.md", in: mirrorPath) == "changed")
        #expect(git("diff", "--name-only", "HEAD", in: worktreePath) == "")

        try mirror.setNote("{\"status\":\"tests-passed\"}\n", on: made, ref: "refs/notes/skein", by: signature)
        #expect(git("notes", "--ref=skein", "show", "skein/plays-v2", in: mirrorPath) == "{\"status\":\"tests-passed\"}")

        try worktree.remove(from: mirror)
        #expect(!git("worktree", "list", in: mirrorPath).contains(worktreePath))
        #expect(!FileManager.default.fileExists(atPath: worktreePath))
        #expect(git("rev-parse", "skein/plays-v2", in: mirrorPath) == made.hex)
    }

    @Test func packedWritesGoToOnePackThatGitReads() throws {
        let directory = TemporaryDirectory()
        let (mirror, mirrorPath, base) = try mirrorOfUpstream(in: directory)
        let worktreePath = directory.url("work/service")
        _ = try Worktree.add(to: mirror, name: "service-pack", path: worktreePath, branch: "refs/heads/skein/pack", at: base)
        let before = git("count-objects", "-v", in: mirrorPath)

        // Edited, added in a new folder (executable), and removed.
        var edited: [String] = []
        for number in 0..<30 {
            let relative = "Sources/Generated/File\(number).swift"
            try FileManager.default.createDirectory(atPath: worktreePath + "/Sources/Generated", withIntermediateDirectories: true)
            try "let value\(number) = \(number)\n".write(toFile: worktreePath + "/" + relative, atomically: true, encoding: .utf8)
            edited.append(relative)
        }
        try "#!/bin/sh\necho hi\n".write(toFile: worktreePath + "/run.sh", atomically: true, encoding: .utf8)
        chmod(worktreePath + "/run.sh", 0o755)
        try "changed\n".write(toFile: worktreePath + "/README.md", atomically: true, encoding: .utf8)
        let removed = "Sources/App/main.swift"
        try FileManager.default.removeItem(atPath: worktreePath + "/" + removed)

        let packed = try PackedWrites(opening: worktreePath)
        let files = edited.enumerated().map { StagedFile(path: $1, contents: Data("let value\($0) = \($0)\n".utf8)) } + [
            StagedFile(path: "run.sh", contents: Data("#!/bin/sh\necho hi\n".utf8), executable: true),
            StagedFile(path: "README.md", contents: Data("changed\n".utf8)),
            StagedFile(path: removed, contents: nil),
        ]
        let tree = try packed.repository.stage(files, onto: try mirror.commit(base).tree)
        let signature = Signature(name: "skein", email: "skein@localhost")
        let made = try packed.repository.createCommit(tree: tree, parents: [base], message: "pack\n", author: signature, committer: signature)
        // Nothing is on disk until the flush.
        #expect(git("cat-file", "-t", made.hex, in: mirrorPath) != "commit")
        try packed.flush()
        try mirror.setReference("refs/heads/skein/pack", to: made, expected: base, message: "commit: pack")

        // git sees the same content as the files, and the 30+ new blobs and their trees went
        // into one pack rather than loose objects.
        #expect(git("show", "skein/pack:README.md", in: mirrorPath) == "changed")
        #expect(git("show", "skein/pack:Sources/Generated/File7.swift", in: mirrorPath) == "let value7 = 7")
        #expect(git("ls-tree", "skein/pack", "run.sh", in: mirrorPath).hasPrefix("100755 blob"))
        #expect(git("ls-tree", "-r", "--name-only", "skein/pack", in: mirrorPath).split(separator: "\n").count == 32)
        #expect(git("fsck", "--strict", in: mirrorPath).isEmpty)
        func field(_ name: String, _ text: String) -> Int {
            Int(text.split(separator: "\n").first { $0.hasPrefix(name + ":") }?.split(separator: " ").last ?? "") ?? -1
        }
        let after = git("count-objects", "-v", in: mirrorPath)
        #expect(field("packs", after) == field("packs", before) + 1)
        #expect(field("count", after) == field("count", before))
    }

    @Test func staleWorktreesArePruned() throws {
        let directory = TemporaryDirectory()
        let upstream = makeUpstream(in: directory)
        _ = try Mirror.add(source: upstream, in: directory.url("mirrors"), policy: testPolicy)
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
        _ = try Mirror.add(source: upstream, in: directory.url("mirrors"), policy: testPolicy)
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
