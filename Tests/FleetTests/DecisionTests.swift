import Ledger
import Sandbox
import Testing
@testable import Fleet

/// The one set of rules that turns what the phases found into a status.
@Suite struct DecisionTests {
    func report(_ outcome: TestReport.Outcome, passed: Int = 3, failed: Int = 0) -> TestReport {
        TestReport(
            outcome: outcome, passed: passed, failed: failed, skipped: 0, failingTests: [], buildErrors: [],
            logPath: "", duration: 0, notes: [])
    }

    func tests(_ outcome: TestReport.Outcome, verdict: Verdict) -> Decision.Tests {
        Decision.Tests(after: report(outcome), verdict: verdict, base: "abc1234", timeout: 60, command: "swift test")
    }

    let green = Verdict(newFailures: [], preexistingFailures: [], flaky: [], buildBroke: false, passed: true)

    @Test func nothingToCommitIsNotAffectedUnlessReferencesWereLeft() {
        let quiet = Decision.decide(.init(migration: "plays-v2", changedFiles: 0, referencesFound: 0, rewriteAttention: []))
        #expect(quiet.status == .notAffected)
        let found = Decision.decide(.init(migration: "plays-v2", changedFiles: 0, referencesFound: 2, rewriteAttention: []))
        #expect(found.status == .needsHuman)
        #expect(found.attention.first?.contains("plays-v2") == true)
        let unsafe = Decision.decide(.init(
            migration: "plays-v2", changedFiles: 0, referencesFound: 1, rewriteAttention: ["a.swift:3: type unknown"]))
        #expect(unsafe.status == .needsHuman)
        #expect(unsafe.attention == ["a.swift:3: type unknown"])
    }

    @Test func theSameRulesDecideADryRunAndACommit() {
        let unsafe = ["a.swift:3: type unknown"]
        let dry = Decision.decide(.init(migration: "m", changedFiles: 2, referencesFound: 3, rewriteAttention: unsafe))
        let tested = Decision.decide(.init(
            migration: "m", changedFiles: 2, referencesFound: 3, rewriteAttention: unsafe,
            tests: tests(.passed, verdict: green)))
        #expect(dry.status == .needsHuman)
        #expect(tested.status == .needsHuman)
        let clean = Decision.decide(.init(
            migration: "m", changedFiles: 2, referencesFound: 3, rewriteAttention: [], tests: tests(.passed, verdict: green)))
        #expect(clean.status == .testsPassed)
    }

    @Test func failuresAtTheBaseAreListedNotBlamed() {
        let verdict = Verdict(newFailures: [], preexistingFailures: ["T.old"], flaky: ["T.flaky"], buildBroke: false, passed: true)
        let decision = Decision.decide(.init(
            migration: "m", changedFiles: 1, referencesFound: 1, rewriteAttention: [],
            tests: tests(.testsFailed, verdict: verdict)))
        #expect(decision.status == .testsPassed)
        #expect(decision.attention.contains { $0.hasPrefix("T.old: already failing at the base abc1234") })
        #expect(decision.attention.contains { $0.hasPrefix("T.flaky: failed once") })
    }

    @Test func aCompilerThatCrashedTwiceIsAnErrorNeverTestsFailedWithNoTests() {
        let broke = Verdict(newFailures: [], preexistingFailures: [], flaky: [], buildBroke: true, passed: false)
        var crashed = tests(.buildFailed, verdict: broke)
        crashed.after = report(.buildFailed, passed: 0)
        crashed.crash = "the compiler or driver crashed while building (Program crashed: Segmentation fault)"
        let decision = Decision.decide(.init(migration: "m", changedFiles: 1, referencesFound: 1, rewriteAttention: [], tests: crashed))
        #expect(decision.status == .error)
        #expect(decision.error?.contains("Program crashed") == true)
    }

    @Test func brokenBuildsNewFailuresTimeoutsAndSandboxFaults() {
        let broke = Verdict(newFailures: [], preexistingFailures: [], flaky: [], buildBroke: true, passed: false)
        #expect(Decision.decide(.init(
            migration: "m", changedFiles: 1, referencesFound: 1, rewriteAttention: [],
            tests: tests(.buildFailed, verdict: broke))).status == .testsFailed)
        let failing = Verdict(newFailures: ["T.new"], preexistingFailures: [], flaky: [], buildBroke: false, passed: false)
        let failed = Decision.decide(.init(
            migration: "m", changedFiles: 1, referencesFound: 1, rewriteAttention: [],
            tests: tests(.testsFailed, verdict: failing)))
        #expect(failed.status == .testsFailed)
        #expect(failed.attention.contains("T.new: passed at the base, fails after the migration"))
        let slow = Decision.decide(.init(
            migration: "m", changedFiles: 1, referencesFound: 1, rewriteAttention: [], tests: tests(.timedOut, verdict: green)))
        #expect(slow.status == .error)
        #expect(slow.error == "tests timed out after 60 s")
        let broken = Decision.decide(.init(
            migration: "m", changedFiles: 1, referencesFound: 1, rewriteAttention: [],
            tests: tests(.sandboxFailed("bwrap: no"), verdict: green)))
        #expect(broken.status == .error)
    }
}
