import Foundation
import SkeinBasics
import Testing
import TestSupport
@testable import Rewrite

/// A hostile Swift file costs bounded time and stack: it is reported, not parsed, and the other
/// files of the repo are still rewritten.
struct SwiftParseLimitTests {
    let migration = trackRenameMigration

    let model = SourceFile(path: "Sources/App/PlayEvent.swift", text: "struct PlayEvent: Codable { var track_id: String }\n")

    func rewrite(_ hostile: SourceFile) -> RewriteResult {
        SwiftRewriter(migration: migration).rewrite([model, hostile])
    }

    @Test func aRunOfTwentyFourBracketsIsReportedNotParsed() {
        let line = "let y = " + String(repeating: "[", count: 24) + "PlayEvent(track_id: \"a\").track_id" + String(repeating: "]", count: 24)
        let result = rewrite(SourceFile(path: "Sources/App/Brackets.swift", text: line + "\n"))
        #expect(result.attention.map(\.description).contains(
            "Sources/App/Brackets.swift:1: not parsed: nests 24 `[` directly, more than the 12 skein's Swift parser reads in bounded time; not edited, may reference what the migration changes"),
            "\(result.attention)")
        #expect(result.edits.map(\.path) == ["Sources/App/PlayEvent.swift"])
    }

    @Test func anExpressionNestedTwoThousandDeepIsReportedNotParsed() {
        for (open, close) in [("(", ")"), ("[1, ", "]"), ("{ ", " }")] {
            let text = "let x = " + String(repeating: open, count: 2000) + "PlayEvent(track_id: \"a\").track_id"
                + String(repeating: close, count: 2000) + "\n"
            let result = rewrite(SourceFile(path: "Sources/App/Deep.swift", text: text))
            #expect(result.attention.map(\.description).contains {
                $0.hasPrefix("Sources/App/Deep.swift:1: not parsed: nests brackets 2001 deep, more than the 256 skein's Swift parser follows")
            }, "\(open): \(result.attention)")
            #expect(result.edits.map(\.path) == ["Sources/App/PlayEvent.swift"])
        }
    }

    @Test func bracketsInStringsAndCommentsAndOrdinaryNestingPass() {
        let text = """
            // [[[[[[[[[[[[[[[[[[[[[[[[ in a comment
            let s = "[[[[[[[[[[[[[[[[[[[[[[[[[ in a string"
            let grid: [[[Int]]] = [[[1, 2], [3]], [[4]]]
            func f(_ e: PlayEvent) -> String { e.track_id }

            """
        let result = rewrite(SourceFile(path: "Sources/App/Fine.swift", text: text))
        #expect(result.attention.isEmpty, "\(result.attention)")
        #expect(result.edits.first { $0.path == "Sources/App/Fine.swift" }?.newText.contains("e.track_uri") == true)
    }
}
