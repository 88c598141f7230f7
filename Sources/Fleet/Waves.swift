import Foundation
import Ledger
import SkeinBasics

/// The waves of a staged rollout over one migration's consumers (SPEC §7): pilots by name, then
/// shares of the fleet in the stable order of the shard hash, so every run and every machine
/// puts each consumer in the same wave.
public struct WavePlan: Sendable {
    public let rollout: Rollout
    /// The 0-based wave of each consumer; consumers past the last wave are absent.
    public let waveOf: [String: Int]
    /// Pilot names that are not consumers of the migration (a typo, or a consumer gone).
    public let unknownPilots: [String]

    /// Assigns `consumers` (every consumer of the migration among the mirrors) to waves. A
    /// `percent: P` wave takes consumers in hash order until P% of all of them (pilots
    /// included) are in a wave so far.
    public init(rollout: Rollout, consumers: [String]) {
        self.rollout = rollout
        let names = Set(consumers)
        var waveOf: [String: Int] = [:]
        var unknown: [String] = []
        let ordered = names.sorted { (Shard.hash($0), $0) < (Shard.hash($1), $1) }
        var cursor = 0
        for (index, wave) in rollout.waves.enumerated() {
            switch wave {
            case .only(let pilots):
                for name in pilots {
                    if !names.contains(name) {
                        if !unknown.contains(name) { unknown.append(name) }
                    } else if waveOf[name] == nil {
                        waveOf[name] = index
                    }
                }
            case .percent(let share):
                let target = Int((share / 100 * Double(names.count)).rounded(.down))
                while waveOf.count < target, cursor < ordered.count {
                    if waveOf[ordered[cursor]] == nil { waveOf[ordered[cursor]] = index }
                    cursor += 1
                }
            }
        }
        self.waveOf = waveOf
        unknownPilots = unknown
    }

    /// `wave 2 (up to 10% of the consumers)`, numbered from 1 as people count.
    public func label(_ index: Int) -> String { "wave \(index + 1) (\(rollout.waves[index]))" }
}

/// What the consumers of the waves run so far came to: whether the rollout may go on.
struct WaveGate {
    var consumers = 0
    var failed = 0
    /// Consumers without a final status (deferred, interrupted), with one reason as an example.
    var unfinished = 0
    var unfinishedReason: String?

    mutating func add(_ outcome: ConsumerOutcome) {
        consumers += 1
        guard let status = outcome.status else {
            unfinished += 1
            if unfinishedReason == nil { unfinishedReason = outcome.note }
            return
        }
        if status == .testsFailed || status == .error { failed += 1 }
    }

    /// Why the rollout stops after wave `index`, or nil when the next wave may start.
    func haltReason(after index: Int, of plan: WavePlan) -> String? {
        let waves = index == 0 ? "wave 1" : "waves 1–\(index + 1)"
        let rest = plan.rollout.waves.count - index - 1
        let notStarted = rest == 1 ? "wave \(index + 2) not started" : "waves \(index + 2)–\(index + 1 + rest) not started"
        if unfinished > 0 {
            return "rollout halted at \(plan.label(index)): \(unfinished) consumer\(unfinished == 1 ? " has" : "s have") no final status yet"
                + (unfinishedReason.map { " (\($0))" } ?? "") + "; \(notStarted)"
        }
        let share = consumers == 0 ? 0 : Double(failed) / Double(consumers)
        guard share > plan.rollout.haltAbove else { return nil }
        return "rollout halted after \(plan.label(index)): \(failed) of \(consumers) consumers of \(waves) ended tests-failed or error"
            + " (\(percent(share)) > halt_above \(percent(plan.rollout.haltAbove))); \(notStarted)"
    }

    private func percent(_ share: Double) -> String {
        Rollout.written((share * 1000).rounded() / 10) + "%"
    }
}
