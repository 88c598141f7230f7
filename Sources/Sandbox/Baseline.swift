/// How the tests after a migration compare with the tests at its base.
public struct Verdict: Sendable, Equatable {
    /// Failing after, passing (or absent) at the base, and failing again when rerun.
    public var newFailures: [String]
    /// Failing at the base already: listed for attention, not blamed on the migration.
    public var preexistingFailures: [String]
    /// Failing after, but passing when run once more.
    public var flaky: [String]
    /// The migrated code does not build (or its tests could not run to the end).
    public var buildBroke: Bool
    /// It built, and no test failed that passed at the base (flaky ones aside).
    public var passed: Bool

    public init(newFailures: [String], preexistingFailures: [String], flaky: [String], buildBroke: Bool, passed: Bool) {
        self.newFailures = newFailures
        self.preexistingFailures = preexistingFailures
        self.flaky = flaky
        self.buildBroke = buildBroke
        self.passed = passed
    }
}

/// Tells the failures a migration caused from those it found (SPEC §6).
public enum Baseline {
    /// Compares `after` with `base` (nil when the base could not be tested). Tests failing
    /// after but not at the base are rerun once through `rerun`; those that then pass are
    /// flaky. `rerun` may return nil to skip the rerun.
    public static func compare(
        base: TestReport?, after: TestReport, rerun: ([String]) throws -> TestReport?
    ) rethrows -> Verdict {
        guard after.ran else {
            return Verdict(
                newFailures: after.failingTests, preexistingFailures: [], flaky: [],
                buildBroke: after.outcome == .buildFailed, passed: false)
        }
        let known = base?.ran == true ? Set(base?.failingTests ?? []) : []
        let preexisting = after.failingTests.filter { known.contains($0) }
        let candidates = after.failingTests.filter { !known.contains($0) }
        var newFailures = candidates
        var flaky: [String] = []
        if !candidates.isEmpty, let again = try rerun(candidates), again.ran {
            let stillFailing = Set(again.failingTests)
            let passedAgain = candidates.filter { !stillFailing.contains($0) && !$0.hasPrefix("(") && !$0.hasSuffix("(crashed)") }
            // A filter that matched nothing proves nothing: only as many passes as the rerun saw.
            if again.passed >= passedAgain.count {
                flaky = passedAgain
                newFailures = candidates.filter { !flaky.contains($0) }
            }
        }
        return Verdict(
            newFailures: newFailures, preexistingFailures: preexisting, flaky: flaky,
            buildBroke: false, passed: newFailures.isEmpty)
    }
}
