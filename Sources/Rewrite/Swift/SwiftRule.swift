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
    /// The consumer's compiler index, when its base was built: asked before the resolver.
    let compiler: CompilerOccurrences?
    var result = RewriteResult()
    /// Per change: edits decided by the compiler index and by the syntax resolver, and the files
    /// the resolver decided because the index did not cover them.
    var decisions: [String: Decisions] = [:]
    /// `CompilerTargets` already looked up, by a rename's key.
    var compilerTargets: [String: CompilerTargets?] = [:]

    struct Decisions {
        var byIndex = 0
        var bySyntax = 0
        var syntaxFiles: Set<String> = []
    }

    init(index: SymbolIndex, migration: Migration, compiler: CompilerOccurrences? = nil) {
        self.index = index
        self.resolver = TypeResolver(index: index)
        self.migration = migration
        self.compiler = compiler
    }

    /// Records which way one file's references to a change were decided, and how many edits
    /// that made.
    func decided(_ change: Change, byIndex: Bool, file: String, edits: Int) {
        guard compiler != nil else { return }
        var entry = decisions[change.summary] ?? Decisions()
        if byIndex {
            entry.byIndex += edits
        } else {
            entry.bySyntax += edits
            if edits > 0 { entry.syntaxFiles.insert(file) }
        }
        decisions[change.summary] = entry
    }

    /// The lines that say how each change's references were decided, for the commit and ledger.
    func decisionNotes() -> [String] {
        guard let compiler else { return [] }
        var notes: [String] = []
        for (summary, entry) in decisions.sorted(by: { $0.key < $1.key }) {
            var line = "\(summary): \(entry.byIndex) edit\(entry.byIndex == 1 ? "" : "s") from the compiler index"
            if !entry.syntaxFiles.isEmpty {
                let files = entry.syntaxFiles.sorted()
                let shown = files.prefix(5).joined(separator: ", ") + (files.count > 5 ? ", ..." : "")
                line += ", \(entry.bySyntax) from the syntax resolver where the index does not reach (\(shown))"
            }
            notes.append(line)
        }
        if !compiler.index.dropped.isEmpty {
            notes.append("the compiler index named \(compiler.index.dropped.count) path\(compiler.index.dropped.count == 1 ? "" : "s") outside the package, ignored: "
                         + compiler.index.dropped.prefix(3).joined(separator: ", "))
        }
        return notes
    }

    /// Counts the edits `body` makes to a change's references in one file.
    func counting(_ change: Change, _ body: () -> Void) -> Int {
        let before = result.counts[change.summary] ?? 0
        body()
        return (result.counts[change.summary] ?? 0) - before
    }

    /// The words to end a message about a reference the syntax resolver decided with, when the
    /// compiler index was there but did not cover it.
    var syntaxSuffix: String { compiler == nil ? "" : "; syntax resolver" }

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
