// Interim declarations matching the agreed Sandbox API, replaced when the module lands.
import SkeinBasics

public enum SandboxMode: String, Sendable { case bubblewrap = "bwrap", none }
public enum Bubblewrap {
    public static func isAvailable() -> Bool { false }
    public static let installHint = "install bubblewrap"
}
public struct SandboxPolicy: Sendable {
    public var worktree: String, buildCache: String, logFile: String, timeout: Double, mode: SandboxMode
    public init(worktree: String, buildCache: String, logFile: String, timeout: Double = 900, mode: SandboxMode = .bubblewrap) {
        self.worktree = worktree; self.buildCache = buildCache; self.logFile = logFile; self.timeout = timeout; self.mode = mode
    }
}
public struct TestReport: Sendable {
    public enum Outcome: Sendable, Equatable { case passed, testsFailed, buildFailed, timedOut, sandboxFailed(String) }
    public var outcome: Outcome
    public var passed: Int, failed: Int, skipped: Int
    public var failingTests: [String]
    public var buildErrors: [AttentionItem]
    public var logPath: String
    public var duration: Double
    public var notes: [String]
    public init(outcome: Outcome, passed: Int, failed: Int, skipped: Int, failingTests: [String], buildErrors: [AttentionItem], logPath: String, duration: Double, notes: [String]) {
        self.outcome = outcome; self.passed = passed; self.failed = failed; self.skipped = skipped; self.failingTests = failingTests
        self.buildErrors = buildErrors; self.logPath = logPath; self.duration = duration; self.notes = notes
    }
}
public struct CommandResult: Sendable { public var status: Int32; public var timedOut: Bool; public var logPath: String; public var duration: Double; public var output: String }
public struct TestRunner: Sendable {
    public init(policy: SandboxPolicy) {}
    public func resolveDependencies() throws -> CommandResult? { nil }
    public func runTests(command: String = "swift test") throws -> TestReport { fatalError() }
    public func rerun(tests: [String], command: String = "swift test") throws -> TestReport { fatalError() }
    public func run(command: String) throws -> CommandResult { fatalError() }
}
public struct Verdict: Sendable { public var newFailures: [String]; public var preexistingFailures: [String]; public var flaky: [String]; public var buildBroke: Bool; public var passed: Bool }
public enum Baseline {
    public static func compare(base: TestReport?, after: TestReport, rerun: ([String]) throws -> TestReport?) rethrows -> Verdict { fatalError() }
}
