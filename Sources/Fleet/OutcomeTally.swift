import Foundation
import Ledger
import SkeinBasics

/// What a run keeps of its consumers' outcomes for the summary, the exit code and `--metrics`:
/// counts and sums, never the outcomes themselves, so its memory does not grow with the fleet.
public struct OutcomeTally: Sendable {
    /// Consumers handled (or passed over) in the run.
    public var consumers = 0
    /// Consumers per status (`not handled` for those without a final status).
    public var counts: [String: Int] = [:]
    /// Seconds per phase, summed over the consumers.
    public var phases: [String: Double] = [:]
    /// Consumers with a final status, and those of them that ended well.
    public var finished = 0
    public var good = 0

    public static let notHandled = "not handled"

    public mutating func add(_ outcome: ConsumerOutcome) {
        consumers += 1
        counts[outcome.status?.rawValue ?? Self.notHandled, default: 0] += 1
        for (phase, seconds) in outcome.phases { phases[phase, default: 0] += seconds }
        if let status = outcome.status {
            finished += 1
            if status.isGood { good += 1 }
        }
    }

    /// True when some consumer ended `tests-failed`, `needs-human` or `error` (SPEC §5).
    public var anyFailed: Bool { finished > good }
}

/// Folds outcomes in as the worker threads finish them: the migration's tally, the current
/// rollout wave's gate, and the caller's own look at each outcome (a dry run's diff).
final class OutcomeSink: Sendable {
    private let state = Locked((tally: OutcomeTally(), gate: WaveGate()))
    private let each: @Sendable (ConsumerOutcome) -> Void

    init(each: @escaping @Sendable (ConsumerOutcome) -> Void) {
        self.each = each
    }

    func add(_ outcome: ConsumerOutcome) {
        state.withLock {
            $0.tally.add(outcome)
            $0.gate.add(outcome)
        }
        each(outcome)
    }

    var currentTally: OutcomeTally { state.withLock { $0.tally } }
    var currentGate: WaveGate { state.withLock { $0.gate } }
}
