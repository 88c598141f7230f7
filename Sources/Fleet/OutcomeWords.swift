import Foundation
import Ledger
import SkeinBasics

/// A consumer's outcome in a few words a reviewer can act on (`build failed: Stats.swift:12:
/// ...`, `tests 1 passed, 1 failed (1 failing at the base too)`), shared by the run's lines,
/// `status` and the page so they never disagree.
public enum OutcomeWords {
    static let alreadyFailing = "already failing at the base"
    static let brokeHere = "passed at the base, fails after the migration"
    static let flaky = "(flaky)"

    /// Why the consumer ended with its status.
    public static func why(_ entry: LedgerEntry, status: MigrationStatus? = nil) -> String {
        let attention = entry.attention ?? []
        let preexisting = attention.filter { $0.contains(alreadyFailing) }.count
        let broke = attention.filter { $0.contains(brokeHere) }
        let other = attention.filter { !$0.contains(alreadyFailing) && !$0.contains(brokeHere) && !$0.contains(flaky) }
        switch status ?? entry.status {
        case .notAffected:
            return "nothing to change"
        case .merged:
            return "merged into the default branch"
        case .rolledBack:
            return "rolled back"
        case .error:
            return shorten(entry.error ?? "the run failed")
        case .needsHuman:
            let what = other.isEmpty ? "references need a look" : "\(other.count) place\(other.count == 1 ? "" : "s") need\(other.count == 1 ? "s" : "") a look"
            let first = other.first.map { " (" + shorten(location($0) ?? $0, limit: 60) + ")" } ?? ""
            let tests = entry.tests.map { "; " + testWords($0, base: entry.baseTests, preexisting: preexisting) } ?? ""
            return what + first + tests
        case .testsFailed:
            if !broke.isEmpty {
                let names = broke.map { String($0.prefix { $0 != ":" }) }
                return "\(broke.count) test\(broke.count == 1 ? "" : "s") broke: " + shorten(names.joined(separator: ", "), limit: 60)
            }
            if let tests = entry.tests, tests.passed + tests.failed > 0 {
                return testWords(tests, base: entry.baseTests, preexisting: preexisting)
            }
            return "build failed" + (other.first.map { ": " + shorten($0) } ?? "")
        case .testsPassed:
            return entry.tests.map { testWords($0, base: entry.baseTests, preexisting: preexisting) } ?? "changes applied"
        }
    }

    /// `tests 1 passed, 1 failed (1 failing at the base too)`: a failure after the migration is
    /// always shown with its base context, so a green status never sits beside a bare failure.
    static func testWords(_ tests: TestCounts, base: TestCounts?, preexisting: Int) -> String {
        var text = "tests \(tests.passed) passed, \(tests.failed) failed"
        if tests.failed > 0 {
            let atBase = preexisting > 0 ? preexisting : min(base?.failed ?? 0, tests.failed)
            if atBase > 0 { text += " (\(atBase) failing at the base too)" }
        }
        return text
    }

    /// The `path:line` an attention item starts with.
    static func location(_ item: String) -> String? {
        let parts = item.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, Int(parts[1]) != nil else { return nil }
        return "\(parts[0]):\(parts[1])"
    }

    static func shorten(_ text: String, limit: Int = 100) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }
}

extension MigrationStatus {
    /// Problems first (error, tests-failed, needs-human), then what is open for review, then
    /// what is done: the order a reviewer works in.
    public var reviewRank: Int {
        switch self {
        case .error: 0
        case .testsFailed: 1
        case .needsHuman: 2
        case .testsPassed: 3
        case .merged: 4
        case .notAffected: 5
        case .rolledBack: 6
        }
    }
}
