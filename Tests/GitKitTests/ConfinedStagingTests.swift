import Foundation
import SkeinBasics
import Testing
import TestSupport
@testable import GitKit

/// The migration commit comes from bytes skein holds; what it reads of a worktree is read
/// without following links or waiting on special files.
@Suite struct ConfinedStagingTests {
    @Test func stagingFromMemoryIgnoresTheWorkingDirectory() throws {
        let directory = TemporaryDirectory()
        _ = try Mirror.add(source: makeUpstream(in: directory), in: directory.url("mirrors"), policy: testPolicy)
        let path = directory.url("mirrors/service.git")
        let mirror = try Repository.open(path)
        let base = try mirror.defaultBranch().commit
        let tree = try mirror.stage([
            StagedFile(path: "README.md", contents: Data("planned\n".utf8)),
            StagedFile(path: "tool.sh", contents: Data("#!/bin/sh\n".utf8), executable: true),
            StagedFile(path: "Sources/App/main.swift", contents: nil),
            StagedFile(path: "never-there.txt", contents: nil),
        ], onto: try mirror.commit(base).tree)
        let signature = Signature(name: "skein", email: "skein@localhost")
        let made = try mirror.createCommit(tree: tree, parents: [base], message: "m\n", author: signature, committer: signature)
        #expect(git("show", "\(made.hex):README.md", in: path) == "planned")
        let listing = git("ls-tree", "-r", made.hex, in: path)
        #expect(listing.contains("100755 blob") && listing.contains("tool.sh"))
        #expect(!listing.contains("main.swift"))
    }

    @Test func confinedReadsRefuseLinksFIFOsAndLargeFiles() throws {
        let directory = TemporaryDirectory()
        let root = directory.url("worktree")
        directory.write("worktree/Sources/a.txt", "inside\n")
        directory.write("outside/secret.txt", "host secret\n")
        try FileManager.default.createSymbolicLink(atPath: root + "/linked", withDestinationPath: directory.url("outside"))
        try FileManager.default.createSymbolicLink(atPath: root + "/Sources/b.txt", withDestinationPath: directory.url("outside/secret.txt"))
        #expect(mkfifo(root + "/Sources/pipe", 0o644) == 0)
        directory.write("worktree/big.bin", String(repeating: "x", count: 4096))

        #expect(try ConfinedFile.read(root: root, relative: "Sources/a.txt", limit: 100) == .file(Data("inside\n".utf8), executable: false))
        #expect(try ConfinedFile.read(root: root, relative: "Sources/gone.txt", limit: 100) == .missing)
        #expect(throws: InputError.self) { try ConfinedFile.read(root: root, relative: "linked/secret.txt", limit: 100) }
        #expect(throws: InputError.self) { try ConfinedFile.read(root: root, relative: "Sources/b.txt", limit: 100) }
        #expect(throws: InputError.self) { try ConfinedFile.read(root: root, relative: "big.bin", limit: 100) }
        #expect(throws: InputError.self) { try ConfinedFile.read(root: root, relative: "../outside/secret.txt", limit: 100) }
        // The FIFO is refused without being opened: this returns rather than waiting for a writer.
        #expect(throws: InputError.self) { try ConfinedFile.read(root: root, relative: "Sources/pipe", limit: 100) }
        #expect(try ConfinedFile.specialFiles(root: root) == ["Sources/pipe"])
    }
}
