import Foundation
import SkeinBasics
import TestSupport
import Testing
@testable import Rewrite

/// Rewrite throughput against SwiftSyntax parse-only over a large real package (swift-syntax's
/// own sources). Prints figures; asserts nothing (speed is not a test). Runs when
/// `SKEIN_BENCH=1`, best with `-c release`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SKEIN_BENCH"] == "1"))
struct SwiftRewriteBenchmark {
    @Test func throughput() throws {
        let directory = TemporaryDirectory("skein-bench")
        let root = directory.url("swift-syntax")
        let clone = runProgram("git", ["clone", "-q", "--branch", "603.0.1", "https://github.com/swiftlang/swift-syntax", root],
                               in: directory.path)
        try #require(clone.status == 0, "clone failed: \(clone.stderr)")
        let files = Workspace(root: root + "/Sources").read().swift
        let lines = files.reduce(0) { $0 + $1.text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }

        func measure(_ label: String, _ work: () -> Int) -> Double {
            var best = Double.infinity
            var detail = 0
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                detail = work()
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            print(String(format: "%@: %.2fs, %.0f lines/s (%d)", label, best, Double(lines) / best, detail))
            return best
        }

        let parse = measure("parse only, \(files.count) files, \(lines) lines") {
            files.reduce(0) { $0 + (SwiftFile(path: $1.path, text: $1.text).parsesCleanly ? 1 : 0) }
        }
        func rewrite(_ change: Change) -> Int {
            let migration = Migration(id: "bench", schemaCommit: "", datasets: ["all"], changes: [change], transitions: [])
            return SwiftRewriter(migration: migration).rewrite(files).edits.count
        }
        // A name in almost every file: every file is parsed, most are rewritten.
        let dense = measure("rewrite, renameModule SwiftSyntax (dense)") { rewrite(.renameModule(from: "SwiftSyntax", to: "Syntax")) }
        let sparse = measure("rewrite, renameMember Parser.parseGenericWhereClause (sparse)") {
            rewrite(.renameMember(type: "Parser", from: "parseGenericWhereClause", to: "parseWhereClause", kind: .method))
        }
        print(String(format: "dense rewrite / parse-only throughput: %.2f; sparse rewrite is %.1fx faster than parsing everything",
                     parse / dense, parse / sparse))
    }
}
