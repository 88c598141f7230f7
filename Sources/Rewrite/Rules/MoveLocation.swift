import SkeinBasics

/// `moveLocation`: the dataset moved. String literals that are exactly the old location, or
/// start with it followed by `/`, get the new one; no other substring is touched.
struct MoveLocation: SwiftRule {
    static let name = "MoveLocation"
    let change: Change
    let from: String
    let to: String

    static func make(_ change: Change, migration: Migration) -> MoveLocation? {
        guard case let .moveLocation(_, from, to) = change, !from.isEmpty else { return nil }
        return MoveLocation(change: change, from: from, to: to)
    }

    var triggers: [Trigger] { [.text(from)] }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        let changed = StringLiterals.replace(from, with: to, in: file)
        for _ in 0..<changed { context.reference(change, edited: true) }
    }
}
