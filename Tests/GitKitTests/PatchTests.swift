import Foundation
import Testing
import TestSupport
@testable import GitKit

/// The diff the status page shows: what `git diff` prints, cut at a budget for huge changes.
@Suite struct PatchTests {
    @Test func aPatchIsGitsDiffWithItsStatsAndIsCutAtALineEnd() throws {
        let directory = TemporaryDirectory()
        let work = directory.url("work")
        let lines = (1...400).map { "line \($0)" }
        let base = makeRepository(at: work, files: ["a.txt": "one\ntwo\n", "big.txt": lines.joined(separator: "\n") + "\n"])
        let head = commit(files: [
            "a.txt": "one\n2\n", "big.txt": lines.map { $0 + " changed" }.joined(separator: "\n") + "\n", "new.txt": "new\n",
        ], in: work, message: "change")
        let repository = try Repository.open(work)
        let (old, new) = (try #require(ObjectID(hex: base)), try #require(ObjectID(hex: head)))

        let whole = try repository.patch(from: old, to: new)
        #expect(whole.text == git("diff", base, head, in: work) + "\n")
        #expect(whole.filesChanged == 3 && whole.insertions == 402 && whole.deletions == 401 && whole.truncatedFiles == 0)

        // A budget the first file fits in: the big file is cut at a line end, the last not read.
        let cut = try repository.patch(from: old, to: new, maxBytes: 600)
        #expect(cut.text.hasPrefix("diff --git a/a.txt b/a.txt\n") && cut.text.contains("diff --git a/big.txt b/big.txt\n"))
        #expect(cut.text.utf8.count <= 600 && cut.text.hasSuffix("\n"), "\(cut.text)")
        #expect(!cut.text.contains("new.txt"))
        #expect(cut.truncatedFiles == 2 && cut.insertions == 402, "\(cut)")
    }
}
