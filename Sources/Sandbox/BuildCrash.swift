import Foundation
import SkeinBasics

/// Tells a build that failed because the code does not compile from one that failed because the
/// compiler or the driver crashed (`Program crashed`, a stack dump, a signal, a `fatalError`
/// with no diagnostic). The first is the migration's fault and is `tests-failed`; the second says
/// nothing about the code, is run once more, and if it persists is an `error` with its reason,
/// never a `tests-failed` with 0 tests.
public enum BuildCrash {
    /// What the compiler and driver print when they crash, rather than when code is wrong.
    static let markers = [
        "Program crashed", "Stack dump:", "PLEASE submit a bug report", "failed due to signal",
        "Segmentation fault", "Illegal instruction", "Fatal error:", "terminated by signal", "Bus error",
    ]

    /// Why a run that never reached its tests crashed, or nil when it did not (it passed, ran its
    /// tests, or stopped at a compile error the log shows).
    public static func reason(_ report: TestReport) -> String? {
        guard report.outcome == .buildFailed, report.buildErrors.isEmpty else { return nil }
        let log = FileRead.tail(report.logPath)
        let marker = log.split(separator: "\n").first { line in markers.contains { line.contains($0) } }
        if let marker {
            let text = marker.trimmingCharacters(in: .whitespaces)
            return "the compiler or driver crashed while building (\(text.count > 200 ? String(text.prefix(200)) + "..." : text))"
        }
        if report.status > 128 {
            return "the build was ended by signal \(report.status - 128) with no compiler diagnostic"
        }
        return nil
    }
}
