import Sandbox

/// The test run after the rewrite, with a compiler or driver crash told apart from a compile
/// error: a crash is run once more (crashes under load are often passing), and when it persists
/// its reason comes back so the outcome is `error`, not `tests-failed`.
enum AfterBuild {
    static func run(_ runner: TestRunner, command: String,
                    sandboxed: (() throws -> TestReport) throws -> TestReport) throws -> (report: TestReport, crash: String?) {
        let first = try sandboxed { try runner.runTests(command: command) }
        guard BuildCrash.reason(first) != nil else { return (first, nil) }
        var second = try sandboxed { try runner.runTests(command: command) }
        guard let reason = BuildCrash.reason(second) else { return (second, nil) }
        second.notes.append("the build crashed twice; the first time too: \(BuildCrash.reason(first) ?? reason)")
        return (second, reason + "; it crashed again when run once more (log: \(second.logPath))")
    }
}
