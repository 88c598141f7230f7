import Foundation
import Ledger
import Sandbox
import SkeinBasics

extension FleetLayout {
    /// A message with the mirrors directory's own path taken out (`cannot lock
    /// .skein/locks/x.lock`), for the ledger's `error`.
    public func scrub(_ message: String) -> String {
        message.replacingOccurrences(of: mirrors + "/", with: "")
    }
}

extension TestReport {
    /// The counts as the ledger records them (`base_tests` beside `tests`).
    var ledgerCounts: JSONValue {
        .object([("failed", .int(failed)), ("passed", .int(passed)), ("skipped", .int(skipped))])
    }
}
