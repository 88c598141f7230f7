import Foundation
import Ledger
import Sandbox
import SkeinBasics

extension TestReport {
    /// The counts as the ledger records them (`base_tests` beside `tests`).
    var ledgerCounts: JSONValue {
        .object([("failed", .int(failed)), ("passed", .int(passed)), ("skipped", .int(skipped))])
    }
}
