import Foundation
import Ledger
import Testing

@testable import Fleet

/// The few words each consumer's line, `status` and the page give as the reason, and the
/// terminal's progress line.
@Suite struct OutcomeWordsTests {
    func entry(
        _ status: MigrationStatus, tests: TestCounts? = nil, base: TestCounts? = nil, attention: [String] = [], error: String? = nil
    ) -> LedgerEntry {
        var entry = LedgerEntry(
            migration: "plays-v2", status: status, repo: "r", base: "b", schemaCommit: "s", tests: tests,
            attention: attention.isEmpty ? nil : attention, error: error)
        if let base { entry.extra["base_tests"] = .object([("passed", .int(base.passed)), ("failed", .int(base.failed)), ("skipped", .int(0))]) }
        return entry
    }

    @Test func aGreenStatusNeverSitsBesideABareFailure() {
        let passed = entry(
            .testsPassed, tests: TestCounts(passed: 1, failed: 1, skipped: 0), base: TestCounts(passed: 1, failed: 1, skipped: 0),
            attention: ["ExportTests.testArchiveTimezone: already failing at the base fa3fd56663, not caused by this migration"])
        #expect(OutcomeWords.why(passed) == "tests 1 passed, 1 failed (1 failing at the base too)")
        // From the base counts alone, for a line written without the attention item.
        let counted = entry(.testsPassed, tests: TestCounts(passed: 1, failed: 1, skipped: 0), base: TestCounts(passed: 1, failed: 1, skipped: 0))
        #expect(OutcomeWords.why(counted) == "tests 1 passed, 1 failed (1 failing at the base too)")
    }

    @Test func aFailureSaysWhatBroke() {
        let build = entry(
            .testsFailed, tests: TestCounts(passed: 0, failed: 0, skipped: 0),
            attention: ["Sources/DurationStats/Stats.swift:12: cannot convert value of type 'Int64' to specified type 'Int32'"])
        #expect(OutcomeWords.why(build) == "build failed: Sources/DurationStats/Stats.swift:12: cannot convert value of type 'Int64' to specified type 'Int32'")
        let broke = entry(
            .testsFailed, tests: TestCounts(passed: 3, failed: 1, skipped: 0),
            attention: ["StatsTests.testMean: passed at the base, fails after the migration"])
        #expect(OutcomeWords.why(broke) == "1 test broke: StatsTests.testMean")
        #expect(OutcomeWords.why(entry(.error, error: "tests timed out after 900 s")) == "tests timed out after 900 s")
        let human = entry(.needsHuman, tests: TestCounts(passed: 2, failed: 0, skipped: 1), attention: ["Sources/A.swift:4: uses plays.x"])
        #expect(OutcomeWords.why(human) == "1 place needs a look (Sources/A.swift:4); tests 2 passed, 0 failed")
        #expect(OutcomeWords.why(entry(.notAffected)) == "nothing to change")
    }

    @Test func theProgressLineEstimatesCountsAndShowsPhases() {
        let lines = Lines()
        let progress = Progress(terminal: false) { lines.add($0) }
        progress.add(3)
        progress.started("top-tracks")
        progress.started("reporting")
        progress.phase("top-tracks", "testing")
        #expect(progress.statusLine().hasPrefix("[0/3] 0s elapsed, ETA estimating · 0 failed, 0 need a look · testing: top-tracks; starting: reporting"))
        progress.finished("reporting: needs-human: 1 place needs a look", repo: "reporting", status: .needsHuman)
        let line = progress.statusLine()
        #expect(line.contains("[1/3]") && line.contains(", ETA ") && !line.contains("estimating"), "\(line)")
        #expect(line.contains("0 failed, 1 needs a look · testing: top-tracks"), "\(line)")
        #expect(lines.all == ["reporting: needs-human: 1 place needs a look"])
        #expect(Progress.cut(String(repeating: "x", count: 100), to: 20).count == 20)
    }
}

private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
