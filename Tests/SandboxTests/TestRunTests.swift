import Foundation
import Sandbox
import SkeinBasics
import Testing
import TestSupport

/// Real `swift test` runs of small packages in the sandbox. Serialized: each builds a package,
/// and the machine's cores are shared.
@Suite(.serialized, .enabled(if: Bubblewrap.isAvailable(), "needs bubblewrap"))
struct TestRunTests {
    static let mixedTests = """
        import Foundation
        import Testing
        import XCTest
        @testable import Lib

        @Test func addsWithSwiftTesting() { #expect(add(1, 2) == 3) }
        @Test func failsWithSwiftTesting() { #expect(add(1, 2) == 4) }
        @Test(.disabled("not today")) func skippedWithSwiftTesting() {}

        final class MixedTests: XCTestCase {
            func testAdds() { XCTAssertEqual(add(2, 2), 4) }
            func testAlreadyBroken() { XCTAssertEqual(add(1, 1), 3) }
            func testBrokenByMigration() { XCTAssertEqual(add(2, 3), 6) }
            func testSkipped() throws { throw XCTSkip("not here") }
            /// Fails on its first run only: a marker in the build cache survives into the rerun.
            func testFlaky() {
                let marker = FileManager.default.currentDirectoryPath + "/.build/flaky-marker"
                if !FileManager.default.fileExists(atPath: marker) {
                    FileManager.default.createFile(atPath: marker, contents: nil)
                    XCTFail("first run")
                }
            }
        }
        """

    @Test func parsesXCTestAndSwiftTestingAndTellsNewFromOldAndFlaky() throws {
        let place = SandboxPlace("skein-sandbox-mixed")
        write(packageFiles(library: "public func add(_ a: Int, _ b: Int) -> Int { a + b }\n", tests: Self.mixedTests), into: place.worktree)
        let runner = place.runner(timeout: 600)
        #expect(try runner.resolveDependencies() == nil)

        let after = try runner.runTests()
        #expect(after.outcome == .testsFailed, "\(after.notes) \((try? String(contentsOfFile: after.logPath, encoding: .utf8)) ?? "")")
        #expect(after.passed == 2)
        #expect(after.failed == 4)
        #expect(after.skipped == 2)
        #expect(Set(after.failingTests) == [
            "MixedTests.testAlreadyBroken", "MixedTests.testBrokenByMigration", "MixedTests.testFlaky", "failsWithSwiftTesting()",
        ])
        #expect(after.buildErrors.isEmpty)
        #expect(after.logPath == place.logFile)
        // Build products went to the cache, not the worktree.
        #expect(FileManager.default.fileExists(atPath: place.cache + "/build/debug"))
        #expect(!FileManager.default.fileExists(atPath: place.worktree + "/.build/debug"))

        let base = TestReport(outcome: .testsFailed, passed: 5, failed: 1, failingTests: ["MixedTests.testAlreadyBroken"])
        var rerunNames: [String] = []
        let verdict = try Baseline.compare(base: base, after: after) { names in
            rerunNames = names
            return try runner.rerun(tests: names)
        }
        #expect(Set(rerunNames) == ["MixedTests.testBrokenByMigration", "MixedTests.testFlaky", "failsWithSwiftTesting()"])
        #expect(verdict.preexistingFailures == ["MixedTests.testAlreadyBroken"])
        #expect(Set(verdict.newFailures) == ["MixedTests.testBrokenByMigration", "failsWithSwiftTesting()"])
        #expect(verdict.flaky == ["MixedTests.testFlaky"])
        #expect(!verdict.buildBroke)
        #expect(!verdict.passed)
        // The rerun ran only the tests it was given.
        let rerunLog = try String(contentsOfFile: TestRunnerLogs.rerun(place.logFile), encoding: .utf8)
        #expect(!rerunLog.contains("testAdds"))
    }

    @Test func buildsIncrementallyAndReportsBuildErrors() throws {
        let place = SandboxPlace("skein-sandbox-build")
        let library = "public func add(_ a: Int, _ b: Int) -> Int { a + b }\n"
        let tests = """
            import Testing
            @testable import Lib
            @Test func adds() { #expect(add(1, 2) == 3) }
            """
        write(packageFiles(library: library, tests: tests), into: place.worktree)
        let runner = place.runner(timeout: 600)

        let cold = try runner.runTests()
        #expect(cold.outcome == .passed, "\((try? String(contentsOfFile: cold.logPath, encoding: .utf8)) ?? "")")
        #expect(cold.passed == 1 && cold.failed == 0)

        write(["Sources/Lib/Lib.swift": "public func add(_ a: Int, _ b: Int) -> Int { b + a }\n"], into: place.worktree)
        let warm = try runner.runTests()
        #expect(warm.outcome == .passed)
        print("swift test of a one-file consumer: cold \(String(format: "%.1f", cold.duration)) s, warm after a one-line change \(String(format: "%.1f", warm.duration)) s")

        write(["Sources/Lib/Lib.swift": "public func add(_ a: Int, _ b: Int) -> Int {\n    a + missing\n}\n"], into: place.worktree)
        let broken = try runner.runTests()
        #expect(broken.outcome == .buildFailed)
        #expect(broken.buildErrors.contains { $0.location.path == "Sources/Lib/Lib.swift" && $0.location.line == 2 }, "\(broken.buildErrors)")
        let verdict = Baseline.compare(base: warm, after: broken) { _ in nil }
        #expect(verdict.buildBroke)
        #expect(!verdict.passed)
    }

    /// The test waits for its child (Foundation's `waitUntilExit`), and the child leaves a
    /// daemon holding what Foundation waits on: the daemon is ended, the test passes, nothing stays.
    @Test func aPassingTestThatLeavesADaemonEndsPassed() throws {
        let place = SandboxPlace("skein-sandbox-daemon")
        let marker = "7\(UInt32.random(in: 100_000...999_999))"
        write(packageFiles(library: "public func one() -> Int { 1 }\n", tests: """
            import Foundation
            import XCTest
            @testable import Lib
            final class DaemonTests: XCTestCase {
                func testLeavesADaemon() throws {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/sh")
                    process.arguments = ["-c", "setsid sh -c 'sleep \(marker)' >/dev/null 2>&1 &"]
                    try process.run()
                    process.waitUntilExit()
                    XCTAssertEqual(one(), 1)
                }
            }
            """), into: place.worktree)
        let report = try place.runner(timeout: 600).runTests()
        #expect(report.outcome == .passed, "\(report.notes) \((try? String(contentsOfFile: report.logPath, encoding: .utf8)) ?? "")")
        #expect(report.passed == 1)
        #expect(processes(containing: "sleep \(marker)").isEmpty)
    }
}

enum TestRunnerLogs {
    static func rerun(_ log: String) -> String { String(log.dropLast(4)) + ".rerun.log" }
}

/// The comparison on its own, with reports as the runner makes them.
struct BaselineTests {
    func report(_ outcome: TestReport.Outcome, failing: [String] = [], passed: Int = 3) -> TestReport {
        TestReport(outcome: outcome, passed: passed, failed: failing.count, failingTests: failing)
    }

    @Test func aGreenRunPassesWithoutRerunning() {
        let verdict = Baseline.compare(base: report(.passed), after: report(.passed)) { _ in
            Issue.record("no rerun expected")
            return nil
        }
        #expect(verdict.passed)
        #expect(verdict.newFailures.isEmpty && verdict.flaky.isEmpty && !verdict.buildBroke)
    }

    @Test func failuresAtTheBaseAreNotBlamed() {
        let verdict = Baseline.compare(base: report(.testsFailed, failing: ["A.testOld"]), after: report(.testsFailed, failing: ["A.testOld"])) { _ in nil }
        #expect(verdict.passed)
        #expect(verdict.preexistingFailures == ["A.testOld"])
    }

    @Test func withoutABaseEveryFailureIsNew() {
        let verdict = Baseline.compare(base: nil, after: report(.testsFailed, failing: ["A.testX"])) { _ in nil }
        #expect(!verdict.passed)
        #expect(verdict.newFailures == ["A.testX"])
    }

    @Test func aRerunThatRanNothingProvesNothing() {
        let verdict = Baseline.compare(base: report(.passed), after: report(.testsFailed, failing: ["A.testX"])) { _ in
            TestReport(outcome: .passed, passed: 0)
        }
        #expect(verdict.newFailures == ["A.testX"])
        #expect(verdict.flaky.isEmpty)
    }

    @Test func aTimeoutIsNeitherPassedNorABrokenBuild() {
        let verdict = Baseline.compare(base: report(.passed), after: report(.timedOut)) { _ in nil }
        #expect(!verdict.passed)
        #expect(!verdict.buildBroke)
    }
}
