/// A staged rollout (SPEC §7): consumers are migrated in waves, and a run goes on to the next
/// wave only when every consumer of the earlier ones has a final status and few enough of them
/// failed.
public struct Rollout: Hashable, Sendable, Codable {
    /// One wave: a pilot named consumer by consumer, or the consumers up to a share of the fleet.
    public enum Wave: Hashable, Sendable, Codable, CustomStringConvertible {
        /// These consumers, by name.
        case only([String])
        /// Up to this percentage of all consumers (pilots included), taken in the stable
        /// order of the shard hash.
        case percent(Double)

        public var description: String {
            switch self {
            case .only(let names): "pilot: " + names.joined(separator: ", ")
            case .percent(let share): "up to \(Rollout.written(share))% of the consumers"
            }
        }
    }

    public var waves: [Wave]
    /// The highest share (0...1) of `tests-failed` + `error` among the consumers of the
    /// finished waves that still lets the rollout go on.
    public var haltAbove: Double

    /// Without `halt_above`, one failure halts the rollout: a pilot is there to catch it.
    public static let defaultHaltAbove = 0.0

    public init(waves: [Wave], haltAbove: Double = Rollout.defaultHaltAbove) {
        self.waves = waves
        self.haltAbove = haltAbove
    }

    /// `10` for 10.0, `12.5` for 12.5: a number as a person wrote it.
    public static func written(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
