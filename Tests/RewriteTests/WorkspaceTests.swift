import Foundation
import SkeinBasics
import Testing
import TestSupport
@testable import Rewrite

@Suite struct WorkspaceTests {
    @Test func globsMatchLikeGitignore() {
        #expect(Glob("docs/**").matches("docs/a/b.md"))
        #expect(Glob("docs/").matches("docs/a.md"))
        #expect(!Glob("docs/**").matches("src/docs.md"))
        #expect(Glob("*.json").matches("config/deep/x.json"))
        #expect(Glob("config/**/*.yaml").matches("config/a/b/c.yaml"))
        #expect(Glob("config/**/*.yaml").matches("config/c.yaml"))
        #expect(!Glob("config/*.yaml").matches("config/a/c.yaml"))
        #expect(Glob("data/part-[0-9].csv").matches("data/part-7.csv"))
        #expect(!Glob("data/part-[0-9].csv").matches("data/part-x.csv"))
        #expect(Glob("?.env").matches("a.env"))
    }

    @Test func readSkipsLinksBinariesAndExcludedPaths() throws {
        let directory = TemporaryDirectory()
        let outside = directory.write("outside/secret.yaml", "location: gs://listening-data/plays/v1\n")
        let root = directory.url("repo")
        directory.write("repo/config/app.yaml", "a: 1\n")
        directory.write("repo/docs/notes.yaml", "b: 2\n")
        directory.write("repo/Sources/A.swift", "let a = 1\n")
        try Data([0x61, 0x00, 0x62]).write(to: URL(fileURLWithPath: directory.url("repo/data.json")))
        try Data([0xff, 0xfe, 0x41]).write(to: URL(fileURLWithPath: directory.url("repo/latin1.yaml")))
        try FileManager.default.createSymbolicLink(atPath: directory.url("repo/linked.yaml"), withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: directory.url("repo/linkdir"), withDestinationPath: directory.url("outside"))

        let files = Workspace(root: root, exclude: [Glob("docs/**")]).read()
        #expect(files.swift.map(\.path) == ["Sources/A.swift"])
        #expect(files.other.map(\.path) == ["config/app.yaml"])
        let reasons = Dictionary(uniqueKeysWithValues: files.skipped.map { ($0.path, $0.reason) })
        #expect(reasons["linked.yaml"] == "symbolic link, not followed")
        #expect(reasons["linkdir"] == "symbolic link, not followed")
        #expect(reasons["data.json"] == "binary file")
        #expect(reasons["latin1.yaml"] == "not UTF-8 text")
    }

    @Test func writeRefusesPathsThroughLinksOrOutsideTheWorktree() throws {
        let directory = TemporaryDirectory()
        let outside = directory.write("outside/secret.yaml", "keep\n")
        directory.write("repo/a.yaml", "a: 1\n")
        try FileManager.default.createSymbolicLink(atPath: directory.url("repo/link.yaml"), withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: directory.url("repo/dir"), withDestinationPath: directory.url("outside"))
        let workspace = Workspace(root: directory.url("repo"))
        #expect(throws: (any Error).self) { try workspace.write([FileEdit(path: "link.yaml", newText: "x\n")]) }
        #expect(throws: (any Error).self) { try workspace.write([FileEdit(path: "dir/secret.yaml", newText: "x\n")]) }
        #expect(throws: (any Error).self) { try workspace.write([FileEdit(path: "../outside/secret.yaml", newText: "x\n")]) }
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "keep\n")
        chmod(directory.url("repo/a.yaml"), 0o640)
        #expect(try workspace.write([FileEdit(path: "a.yaml", newText: "a: 2\n")]) == ["a.yaml"])
        #expect(try String(contentsOfFile: directory.url("repo/a.yaml"), encoding: .utf8) == "a: 2\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.url("repo/a.yaml"))
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
    }

    /// The Swift driver skips a source whose time has the whole second its last build saw: a
    /// rewrite within the second of the checkout and the base build must still reach the compiler.
    @Test func aRewrittenFileLeavesTheSecondOfItsLastChange() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("repo/Sources/Lib/Lib.swift", "public let a = 1\n")
        // Early in a second, so the write below lands in the same one unless moved.
        var now = timespec()
        repeat {
            clock_gettime(CLOCK_REALTIME, &now)
            if now.tv_nsec >= 400_000_000 { usleep(UInt32((1_000_000_000 - now.tv_nsec) / 1000) + 1000) }
        } while now.tv_nsec >= 400_000_000
        var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), timespec(tv_sec: now.tv_sec, tv_nsec: 1)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        _ = try Workspace(root: directory.url("repo")).write([FileEdit(path: "Sources/Lib/Lib.swift", newText: "public let a = missing\n")])
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mtim.tv_sec > now.tv_sec)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "public let a = missing\n")
    }
}
