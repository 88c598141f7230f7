import SkeinBasics

/// `replaceString`: a literal a migration names. Exact literals, or literals starting with it
/// followed by `/`, change; never a substring elsewhere, never comments.
struct ReplaceString: SwiftRule {
    static let name = "ReplaceString"
    let change: Change
    let from: String
    let to: String

    static func make(_ change: Change, migration: Migration) -> ReplaceString? {
        guard case let .replaceString(from, to) = change, !from.isEmpty else { return nil }
        return ReplaceString(change: change, from: from, to: to)
    }

    var triggers: [Trigger] { [.text(from)] }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        let changed = StringLiterals.replace(from, with: to, in: file)
        for _ in 0..<changed { context.reference(change, edited: true) }
    }
}
