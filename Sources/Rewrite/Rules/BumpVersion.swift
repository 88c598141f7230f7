import SkeinBasics

/// `bumpVersion`: string literals that are exactly a versioned dataset id (`plays.v1`,
/// `plays_v1`, `plays@1`) get the new version in the same spelling.
struct BumpVersion: SwiftRule {
    static let name = "BumpVersion"
    let change: Change
    let names: [String]
    let from: Int
    let to: Int

    static func make(_ change: Change, migration: Migration) -> BumpVersion? {
        guard case let .bumpVersion(dataset, from, to) = change else { return nil }
        let names = migration.transition(for: dataset)?.names ?? [dataset]
        return BumpVersion(change: change, names: names.contains(dataset) ? names : names + [dataset], from: from, to: to)
    }

    var triggers: [Trigger] { names.map { .text($0) } }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        for name in names {
            for (old, new) in [(".v", ".v"), ("_v", "_v"), ("@", "@")] {
                let changed = StringLiterals.replace("\(name)\(old)\(from)", with: "\(name)\(new)\(to)", in: file, prefix: false)
                for _ in 0..<changed { context.reference(change, edited: true) }
            }
        }
    }
}
