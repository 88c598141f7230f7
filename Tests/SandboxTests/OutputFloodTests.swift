import Foundation
import Sandbox
import Testing
import TestSupport

/// Test output is streamed: the log stays capped, skein's memory stays flat whatever the output's
/// size or shape, and the test results are still read from it.
struct OutputFloodTests {
    /// Peak resident memory of this process so far, in bytes.
    static func peakResident() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    @Test(arguments: [SandboxMode.none, .bubblewrap])
    func aGigabyteLineAndMillionsOfLinesKeepMemoryFlatAndResultsRead(mode: SandboxMode) throws {
        let place = SandboxPlace("skein-flood")
        // One 1 GiB line (no newline in it), five million short lines, and test results around them.
        let command = """
            echo "Test Case 'Flood.first' started"; echo "Test Case 'Flood.first' passed (0.001 seconds)"; \
            head -c 1073741824 /dev/zero | tr '\\0' x; echo; \
            yes | head -n 5000000; \
            echo "Test Case 'Flood.second' started"; echo "Test Case 'Flood.second' failed (0.001 seconds)"; exit 1
            """
        let before = Self.peakResident()
        let report = try place.runner(timeout: 1200, mode: mode).runTests(command: command)
        let grown = Self.peakResident() - before
        #expect(grown < 64 << 20, "skein grew by \(grown >> 20) MiB reading the output")
        #expect(report.passed == 1)
        #expect(report.failed == 1)
        #expect(report.failingTests == ["Flood.second"])
        #expect(report.outcome == .testsFailed)
        let logSize = (try FileManager.default.attributesOfItem(atPath: place.logFile)[.size] as? Int) ?? 0
        #expect(logSize <= (8 << 20) + 4096, "log is \(logSize) bytes")
        #expect(report.notes.contains { $0.hasPrefix("output was ") }, "\(report.notes)")
    }
}
