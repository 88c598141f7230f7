internal import SwiftSyntax
import SkeinBasics

/// A typed rewrite of Swift sources for one change. Each rule lives in its own file under
/// `Rewrite/Rules/` and is listed in `SwiftRules.all`.
protocol SwiftRule {
    /// The rule's stable name, also its file name.
    static var name: String { get }
    /// The rule for a change, or nil when the change is not this rule's (or says nothing to Swift).
    static func make(_ change: Change, migration: Migration) -> Self?
    var change: Change { get }
    /// What a file's bytes must contain for the rule to concern it. Files containing none are
    /// never parsed.
    var triggers: [Trigger] { get }
    /// Records the rule's edits and attention items for one parsed, cleanly parsing file.
    func apply(to file: SwiftFile, in context: RewriteContext)
    /// Looks at the whole repo's index once, before any file is rewritten.
    mutating func prepare(in context: RewriteContext)
}

extension SwiftRule {
    mutating func prepare(in context: RewriteContext) {}
}

extension SwiftFile {
    /// Whether a node belongs to this file's tree.
    func owns(_ node: some SyntaxProtocol) -> Bool { node.root.id == Syntax(tree).id }
}

/// Text whose presence makes a file worth parsing.
enum Trigger: Hashable {
    /// An identifier, matched on word boundaries.
    case word(String)
    /// Any text (string literal contents).
    case text(String)

    func matches(_ source: String) -> Bool {
        switch self {
        case .word(let word): source.containsWord(word)
        case .text(let text): !text.isEmpty && source.containsText(text)
        }
    }
}

/// What every rule shares while rewriting one repo: the index, the resolver and the result.
final class RewriteContext {
    let index: SymbolIndex
    let resolver: TypeResolver
    let migration: Migration
    var result = RewriteResult()

    init(index: SymbolIndex, migration: Migration) {
        self.index = index
        self.resolver = TypeResolver(index: index)
        self.migration = migration
    }

    func attention(_ file: SwiftFile, _ node: some SyntaxProtocol, _ message: String) {
        let item = AttentionItem(file.location(of: node), message)
        if !result.attention.contains(item) { result.attention.append(item) }
    }

    /// Records one reference found; `edited` when it was rewritten.
    func reference(_ change: Change, edited: Bool) {
        references(change, found: 1, edited: edited ? 1 : 0)
    }

    /// Records references found at once; `edited` of them were rewritten.
    func references(_ change: Change, found: Int, edited: Int) {
        result.referencesFound += found
        if found > 0 { result.found[change.summary, default: 0] += found }
        result.count(change, edited)
    }
}
