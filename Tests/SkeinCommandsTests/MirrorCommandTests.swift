import Foundation
import Testing
import TestSupport

@Suite struct MirrorCommandTests {
    func upstream(_ directory: TemporaryDirectory, _ name: String) -> String {
        let path = directory.url("up/\(name)")
        makeRepository(at: path, files: ["README.md": "\(name)\n"])
        return path
    }

    @Test func addAndSyncMirrorsAFleet() {
        let directory = TemporaryDirectory()
        let a = upstream(directory, "alpha"), b = upstream(directory, "beta")
        let mirrors = directory.url("mirrors")
        let added = skein(["mirror", "add", "--mirrors", mirrors, a, b])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("alpha: mirrored main"))
        #expect(git("rev-parse", "HEAD", in: mirrors + "/beta.git") == git("rev-parse", "HEAD", in: b))

        let moved = commit(files: ["README.md": "next\n"], in: a, message: "next")
        let synced = skein(["mirror", "sync", "--mirrors", mirrors, "--jobs", "2"])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(git("rev-parse", "HEAD", in: mirrors + "/alpha.git") == moved)
    }

    @Test func aMissingSourceIsExitTwoNamingIt() {
        let directory = TemporaryDirectory()
        let good = upstream(directory, "good")
        let result = skein(["mirror", "add", "--mirrors", directory.url("mirrors"), good, directory.url("up/missing")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("missing"))
        #expect(result.stderr.contains("no such repository"))
        // The good one was still mirrored.
        #expect(FileManager.default.fileExists(atPath: directory.url("mirrors/good.git")))
    }

    @Test func aCorruptMirrorIsReportedAndTheOthersGoOn() throws {
        let directory = TemporaryDirectory()
        let a = upstream(directory, "alpha"), b = upstream(directory, "beta")
        let mirrors = directory.url("mirrors")
        #expect(skein(["mirror", "add", "--mirrors", mirrors, a, b]).status == 0)
        // Break beta's mirror: its object database and refs are gone.
        try FileManager.default.removeItem(atPath: mirrors + "/beta.git/objects")
        try FileManager.default.removeItem(atPath: mirrors + "/beta.git/refs")
        let moved = commit(files: ["README.md": "next\n"], in: a, message: "next")
        let synced = skein(["mirror", "sync", "--mirrors", mirrors])
        #expect(synced.status == 1)
        #expect(synced.stderr.contains("beta"))
        #expect(git("rev-parse", "HEAD", in: mirrors + "/alpha.git") == moved)
    }

    @Test func anEmptyUpstreamIsMirroredAndReported() {
        let directory = TemporaryDirectory()
        let empty = directory.url("up/empty.git")
        try! FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        git("init", "-q", "--bare", in: empty)
        let result = skein(["mirror", "add", "--mirrors", directory.url("mirrors"), empty])
        #expect(result.status == 0)
        #expect(result.stdout.contains("empty: mirrored, but the upstream has no commits"))
    }

    @Test func everyCommandHasHelp() {
        for command in [["mirror", "add"], ["mirror", "sync"], ["run"], ["plan"], ["discover"], ["status"], ["push"],
                        ["rollback"], ["check"], ["hook"], ["trigger"]] {
            let result = skein(command + ["--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.stdout.contains("USAGE"), "\(command)")
        }
    }
}
