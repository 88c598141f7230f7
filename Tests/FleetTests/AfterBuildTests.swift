import Foundation
import Sandbox
import Testing
import TestSupport
@testable import Fleet

/// A compiler or driver crash after the rewrite is not a compile error: it is run once more, and
/// when it persists its reason is the outcome (`error`), never `tests-failed` with 0 tests.
struct AfterBuildTests {
    func runner(_ directory: TemporaryDirectory) -> TestRunner {
        directory.write("worktree/Package.swift", "// swift-tools-version: 5.9\n")
        let policy = SandboxPolicy(worktree: directory.url("worktree"), buildCache: directory.url("cache"),
                                   logFile: directory.url("logs/after.log"), timeout: 120,
                                   mode: Bubblewrap.isAvailable() ? .bubblewrap : .none)
        return TestRunner(policy: policy)
    }

    @Test func aCrashThatPersistsIsAnErrorWithItsReason() throws {
        let directory = TemporaryDirectory("skein-after-build")
        let command = "echo 'Stack dump:'; echo 'Program crashed: Segmentation fault'; kill -SEGV $$"
        let (report, crash) = try AfterBuild.run(runner(directory), command: command, sandboxed: { try $0() })
        #expect(report.outcome == .buildFailed)
        let reason = try #require(crash)
        #expect(reason.contains("crashed") && reason.contains("again"), "\(reason)")
    }

    @Test func aCrashThatPassesWhenRunAgainIsNotAnError() throws {
        let directory = TemporaryDirectory("skein-after-build")
        // Crashes the first time only: the worktree keeps a mark between the runs.
        let command = "if [ -e crashed-once ]; then echo 'Test Suite All tests passed'; exit 0; fi; touch crashed-once; echo 'Program crashed: Illegal instruction'; exit 132"
        let (report, crash) = try AfterBuild.run(runner(directory), command: command, sandboxed: { try $0() })
        #expect(crash == nil)
        #expect(report.outcome != .buildFailed)
    }

    @Test func aCompileErrorIsNotACrash() throws {
        let directory = TemporaryDirectory("skein-after-build")
        let command = "echo \"$PWD/Sources/App/App.swift:3:5: error: cannot find 'old' in scope\"; exit 1"
        let (report, crash) = try AfterBuild.run(runner(directory), command: command, sandboxed: { try $0() })
        #expect(crash == nil)
        #expect(report.outcome == .buildFailed)
        #expect(!report.buildErrors.isEmpty, "\(report.notes)")
    }
}
