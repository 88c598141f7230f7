import Foundation
import GitKit
import SkeinBasics
import Testing
import TestSupport
@testable import Ledger

func makeLedgerRepository(_ directory: TemporaryDirectory) throws -> (Repository, ObjectID, String) {
    let path = directory.url("repo")
    let head = makeRepository(at: path, files: ["a.txt": "a\n"])
    return (try Repository.open(path), ObjectID(hex: head)!, path)
}

@Suite struct LedgerTests {
    @Test func entriesAreAppendedAsSortedKeyJSONLines() throws {
        let directory = TemporaryDirectory()
        let (repository, head, path) = try makeLedgerRepository(directory)
        let ledger = Ledger(repository: repository)
        let first = LedgerEntry(
            migration: "plays-v2", status: .testsFailed, repo: "top-tracks", base: head.hex, commit: nil,
            schemaCommit: String(repeating: "a", count: 40), at: "2026-01-01T00:00:00.000Z",
            tests: TestCounts(passed: 3, failed: 1, skipped: 0), attention: ["Sources/A.swift:3: could not rewrite"])
        var second = first
        second.status = .testsPassed
        second.at = "2026-01-01T00:05:00.000Z"
        try ledger.append(first, on: head)
        try ledger.append(second, on: head)

        let shown = git("notes", "--ref=skein", "show", head.hex, in: path).split(separator: "\n")
        #expect(shown.count == 2)
        guard case .object(let pairs) = try JSONValue.parse(String(shown[0])) else { Issue.record("not an object"); return }
        let keys = pairs.map(\.0)
        #expect(keys == keys.sorted())
        #expect(Set(keys).isSuperset(of: ["migration", "status", "repo", "base", "commit", "schema_commit", "at", "tests"]))
        #expect(try ledger.latest(for: "plays-v2")?.status == .testsPassed)
        #expect(try ledger.entries(on: head).count == 2)
        #expect(try ledger.entries(on: head)[0].attention == ["Sources/A.swift:3: could not rewrite"])
        #expect(try ledger.entries(on: head)[0].tests == TestCounts(passed: 3, failed: 1, skipped: 0))
    }

    @Test func theLatestTimeWinsEvenAfterLinesAreSorted() {
        let lines = [
            #"{"at":"2026-01-02T00:00:00.000Z","base":"b","commit":null,"migration":"m","repo":"r","schema_commit":"s","status":"tests-passed"}"#,
            #"{"at":"2026-01-01T00:00:00.000Z","attention":["x"],"base":"b","commit":null,"migration":"m","repo":"r","schema_commit":"s","status":"needs-human"}"#,
        ]
        let winners = latestEntries(ledgerEntries(in: lines.joined(separator: "\n")))
        #expect(winners["m"]?.status == .testsPassed)
    }

    @Test func ledgersWrittenApartMergeLikeCatSortUniq() throws {
        let directory = TemporaryDirectory()
        let upstream = directory.url("upstream.git")
        let work = directory.url("work")
        let head = ObjectID(hex: makeRepository(at: work, files: ["a.txt": "a\n"]))!
        git("clone", "-q", "--bare", work, upstream, in: directory.path)
        git("clone", "-q", upstream, directory.url("one"), in: directory.path)
        git("clone", "-q", upstream, directory.url("two"), in: directory.path)
        let one = try Repository.open(directory.url("one")), two = try Repository.open(directory.url("two"))
        let shared = LedgerEntry(migration: "m", status: .notAffected, repo: "r", base: head.hex, schemaCommit: "s", at: "2026-01-01T00:00:00.000Z")
        var fromOne = shared
        fromOne.migration = "m1"
        var fromTwo = shared
        fromTwo.migration = "m2"
        try Ledger(repository: one).append(shared, on: head)
        try Ledger(repository: one).append(fromOne, on: head)
        try Ledger(repository: two).append(shared, on: head)
        try Ledger(repository: two).append(fromTwo, on: head)

        try one.push(to: upstream, refspecs: ["refs/notes/skein:refs/notes/skein"])
        // The second writer cannot push over the first: it fetches, merges, and pushes again.
        #expect(throws: GitError.self) { try two.push(to: upstream, refspecs: ["refs/notes/skein:refs/notes/skein"]) }
        try two.fetch(from: upstream, refspecs: ["+refs/notes/skein:refs/skein/upstream-notes"])
        #expect(try Ledger(repository: two).merge(from: "refs/skein/upstream-notes"))
        try two.push(to: upstream, refspecs: ["refs/notes/skein:refs/notes/skein"])

        let merged = git("notes", "--ref=skein", "show", head.hex, in: upstream).split(separator: "\n").map(String.init)
        #expect(merged.count == 3)
        #expect(merged == merged.sorted())
        #expect(Set(merged.compactMap { LedgerEntry(line: $0)?.migration }) == ["m", "m1", "m2"])
        // Merging again changes nothing.
        #expect(try !Ledger(repository: two).merge(from: "refs/skein/upstream-notes"))
    }
}

/// Ledger lines can come from another machine: whatever they hold is read as data or refused,
/// never a crash.
@Suite struct HostileLedgerLineTests {
    @Test func brokenEscapesAndDeepNestingAreRefusedNotTrapped() {
        let base = #"{"migration":"m","status":"error","repo":"r","base":"b","schema_commit":"s","at":"x""#
        #expect(LedgerEntry(line: base + "}") != nil)
        // A broken surrogate pair (once an arithmetic overflow), a lone low surrogate, a raw
        // control character and an unknown escape.
        for hostile in [#","error":"\uD888\u1234"}"#, #","error":"\uDC00"}"#, ",\"error\":\"a\u{01}b\"}", #","error":"\q"}"#] {
            #expect(LedgerEntry(line: base + hostile) == nil, "\(hostile)")
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(LedgerEntry(line: base + #","attention":"# + deep + "}") == nil)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(deep) }
    }

    @Test func controlCharactersAreWrittenEscapedAndReadBack() throws {
        let text = "a\u{01}b\u{7F}c\"d\\e\n"
        let line = JSONValue.object([("k", .string(text))]).serialized()
        #expect(line == #"{"k":"a\u0001b\u007fc\"d\\e\n"}"#)
        #expect(try JSONValue.parse(line)["k"]?.stringValue == text)
    }
}
