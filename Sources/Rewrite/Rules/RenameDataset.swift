import SkeinBasics

/// `renameDataset`: string literals that are exactly the old dataset id, or a versioned id of it
/// (`plays.v2`, `plays_v2`, `plays@2`), get the new id.
struct RenameDataset: SwiftRule {
    static let name = "RenameDataset"
    let change: Change
    let from: String
    let to: String

    static func make(_ change: Change, migration: Migration) -> RenameDataset? {
        guard case let .renameDataset(from, to) = change, !from.isEmpty else { return nil }
        return RenameDataset(change: change, from: from, to: to)
    }

    var triggers: [Trigger] { [.text(from)] }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        for (literal, content) in StringLiterals.plain(in: file) where literal.segments.count == 1 {
            let text = content.text
            guard text.hasPrefix(from) else { continue }
            let rest = text.dropFirst(from.count)
            let versioned = [".v", "_v", "@"].contains { separator in
                rest.hasPrefix(separator) && !rest.dropFirst(separator.count).isEmpty && rest.dropFirst(separator.count).allSatisfy(\.isNumber)
            }
            guard rest.isEmpty || versioned else { continue }
            context.reference(change, edited: file.replace(content, with: to + rest))
        }
    }
}
