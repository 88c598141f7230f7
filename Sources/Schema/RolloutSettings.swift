import SkeinBasics
import Yams

/// Reads a `rollout:` block (SPEC §7), in the registry's `skein.yaml` or in an explicit
/// migration, which may carry its own.
enum RolloutSettings {
    static func parse(_ node: Node, reader: YAMLReader) throws(SchemaError) -> Rollout {
        try reader.checkKeys(node, "`rollout`", allowed: ["waves", "halt_above"])
        let map = try reader.mapping(node, "`rollout`")
        guard let wavesNode = map["waves"] else {
            throw reader.fail(node, "`rollout` needs `waves` (a list of `only: [names]` or `percent: N`)")
        }
        let items = try reader.sequence(wavesNode, "`rollout.waves`")
        if items.isEmpty { throw reader.fail(wavesNode, "`rollout.waves` must hold at least one wave") }
        var waves: [Rollout.Wave] = []
        var lastPercent = 0.0
        for item in items {
            let pairs = try reader.pairs(item, "a wave (`only: [names]` or `percent: N`)")
            guard pairs.count == 1, let pair = pairs.first, ["only", "percent"].contains(pair.key) else {
                throw reader.fail(item, "a wave is either `only: [names]` or `percent: N`")
            }
            if pair.key == "only" {
                let names = try reader.strings(pair.value, "`only` of a wave")
                if names.isEmpty { throw reader.fail(pair.value, "`only` of a wave must name at least one consumer") }
                waves.append(.only(names))
            } else {
                let share = try reader.number(pair.value, "`percent` of a wave")
                guard share > 0, share <= 100 else {
                    throw reader.fail(pair.value, "`percent` of a wave must be more than 0 and at most 100, not \(Rollout.written(share))")
                }
                // Percentages count the whole fleet so far, so a smaller one after a larger one takes no one.
                guard share >= lastPercent else {
                    throw reader.fail(pair.value, "`percent` of a wave must not be below an earlier wave's (\(Rollout.written(lastPercent)))")
                }
                lastPercent = share
                waves.append(.percent(share))
            }
        }
        var rollout = Rollout(waves: waves)
        if let halt = map["halt_above"] {
            let value = try reader.number(halt, "`rollout.halt_above`")
            guard value >= 0, value <= 1 else {
                throw reader.fail(halt, "`rollout.halt_above` is a share from 0 to 1 (0.2 for 20%), not \(Rollout.written(value))")
            }
            rollout.haltAbove = value
        }
        return rollout
    }
}
