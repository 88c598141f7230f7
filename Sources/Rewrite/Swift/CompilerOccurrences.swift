internal import SwiftSyntax
import SkeinBasics

/// The compiler's index of one repo, arranged for renames: which symbol is declared at a place,
/// which declarations witness or override a symbol, and where each symbol is written.
///
/// A rename asks the compiler first: the declaration the syntax index finds gives the USR, and
/// every non-implicit occurrence of that USR (and of its witnesses and overrides) is exactly what
/// changes in the files the compiler compiled. Files it did not compile (outside every target,
/// or in a target that did not build) and inactive `#if` branches are left to the syntax resolver.
final class CompilerOccurrences {
    let index: CompilerIndex
    /// Files the compiler compiled, relative to the worktree.
    let covered: Set<String>
    private var byUSR: [String: [IndexOccurrence]] = [:]
    private var declared: [Place: [String]] = [:]
    /// USR → the USRs of declarations that witness or override it.
    private var overriders: [String: Set<String>] = [:]
    /// Per file, the lines where the compiler recorded anything (nil: the reader did not say).
    private let indexedLines: [String: Set<Int>]?

    struct Place: Hashable {
        var path: String
        var line: Int
        var column: Int
    }

    init(_ index: CompilerIndex) {
        self.index = index
        covered = Set(index.files)
        indexedLines = index.indexedLines?.mapValues(Set.init)
        for occurrence in index.occurrences {
            byUSR[occurrence.usr, default: []].append(occurrence)
            if !occurrence.roles.isDisjoint(with: [.definition, .declaration]), !occurrence.roles.contains(.implicit) {
                declared[Place(path: occurrence.path, line: occurrence.line, column: occurrence.column), default: []].append(occurrence.usr)
            }
            for relation in occurrence.relations where relation.roles.contains(.overrideOf) {
                overriders[relation.usr, default: []].insert(occurrence.usr)
            }
        }
    }

    /// Whether the compiler compiled lines `first...last` of a file: it recorded something
    /// there. False when it did not say (the syntax resolver then decides, as for an inactive
    /// branch).
    func compiled(_ path: String, lines: ClosedRange<Int>) -> Bool {
        guard let recorded = indexedLines?[path] else { return false }
        return lines.contains { recorded.contains($0) }
    }

    /// The symbols the compiler says are declared at a place.
    func declarations(at place: Place) -> [String] { declared[place] ?? [] }

    /// Symbols declared outside the repo (in a dependency) found by their USR: a Swift USR spells
    /// the module, then each enclosing type as `<length><name><kind>`, then the member as
    /// `<length><name>` (`s:6Shapes4SignO5minusyA2CmF`). Only USRs of exactly that shape match;
    /// any other spelling (substitutions, generic contexts) finds nothing, and the syntax
    /// resolver decides.
    func dependencySymbols(named name: String, in owner: [String]) -> [String] {
        index.symbols.values.filter { symbol in
            guard symbol.baseName == name, !symbol.kind.isType, let rest = Self.afterModule(symbol.usr) else { return false }
            guard let afterOwner = Self.dropTypePath(owner, from: rest) else { return false }
            return afterOwner.hasPrefix("\(name.utf8.count)\(name)")
        }.map(\.usr).sorted()
    }

    /// Types declared outside the repo, by their qualified name (`Outer.Inner`), found by USR.
    func dependencyTypes(_ components: [String]) -> [String] {
        guard let last = components.last else { return [] }
        return index.symbols.values.filter { symbol in
            guard symbol.name == last, symbol.kind.isType, let rest = Self.afterModule(symbol.usr) else { return false }
            if symbol.kind == .typealias {
                guard let outer = Self.dropTypePath(Array(components.dropLast()), from: rest) else { return false }
                return outer == "\(last.utf8.count)\(last)a"
            }
            return Self.dropTypePath(components, from: rest) == ""
        }.map(\.usr).sorted()
    }

    /// The USR after `s:<length><module>`.
    private static func afterModule(_ usr: String) -> Substring? {
        guard usr.hasPrefix("s:") else { return nil }
        let rest = usr.dropFirst(2)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let length = Int(digits), length > 0 else { return nil }
        let module = rest.dropFirst(digits.count)
        guard module.utf8.count >= length else { return nil }
        return module.dropFirst(length)
    }

    /// What follows `<length><name><V|C|O|P>` for each of `types`, or nil when the USR does not
    /// start with them.
    private static func dropTypePath(_ types: [String], from text: Substring) -> Substring? {
        var rest = text
        for type in types {
            let spelled = "\(type.utf8.count)\(type)"
            guard rest.hasPrefix(spelled) else { return nil }
            rest = rest.dropFirst(spelled.count)
            guard let kind = rest.first, "VCOP".contains(kind) else { return nil }
            rest = rest.dropFirst()
        }
        return rest
    }

    /// The symbols with everything that witnesses or overrides them, transitively.
    func family(_ usrs: [String]) -> Set<String> {
        var found = Set(usrs)
        var queue = usrs
        while let usr = queue.popLast() {
            for overrider in overriders[usr] ?? [] where found.insert(overrider).inserted {
                queue.append(overrider)
            }
        }
        return found
    }

    /// Where the symbols are written, by file: every occurrence the compiler did not make up.
    func written(_ usrs: Set<String>) -> [String: Set<Place>] {
        var places: [String: Set<Place>] = [:]
        for usr in usrs {
            for occurrence in byUSR[usr] ?? [] where !occurrence.roles.contains(.implicit) {
                places[occurrence.path, default: []].insert(Place(path: occurrence.path, line: occurrence.line, column: occurrence.column))
            }
        }
        return places
    }
}

/// What the compiler says one rename must change: the places of its symbols by file, found from
/// the declarations the syntax index shows.
struct CompilerTargets {
    var usrs: Set<String>
    var places: [String: Set<CompilerOccurrences.Place>]

    /// The targets of the declarations at the given name tokens, or nil when the index has no
    /// symbol there (the declaration was not compiled).
    static func find(declaredAt tokens: [TokenSyntax], in context: RewriteContext,
                     orElse dependency: (CompilerOccurrences) -> [String] = { _ in [] }) -> CompilerTargets? {
        guard let compiler = context.compiler else { return nil }
        var usrs: [String] = []
        for token in tokens {
            guard let file = context.index.file(containing: Syntax(token)) else { continue }
            usrs += compiler.declarations(at: file.place(of: token))
        }
        // Not declared in the repo: a dependency's symbol, known by its USR.
        if tokens.isEmpty { usrs = dependency(compiler) }
        guard !usrs.isEmpty else { return nil }
        let family = compiler.family(usrs)
        return CompilerTargets(usrs: family, places: compiler.written(family))
    }

    /// Applies the compiler's decision to the tokens spelled `name` in a file it compiled: a token
    /// at one of the places is the target (`edit` is called), any other is not, except in an
    /// inactive `#if` branch the compiler never saw (`undecided` is called). Places where the
    /// text is not `name` are reported, not changed.
    func apply(name: String, to file: SwiftFile, in context: RewriteContext, change: Change,
               edit: (TokenSyntax) -> Void, undecided: (TokenSyntax) -> Void) {
        var remaining = places[file.path] ?? []
        for token in file.identifierTokens(named: name) {
            let place = file.place(of: token)
            if remaining.remove(place) != nil {
                edit(token)
            } else if let clause = token.ifConfigClause, !isActive(clause, in: file, context: context) {
                // A branch the compiler did not compile: the resolver decides there.
                undecided(token)
            }
        }
        for place in remaining.sorted(by: { ($0.line, $0.column) < ($1.line, $1.column) }) {
            context.reference(change, edited: false)
            context.result.attention.append(AttentionItem(
                SkeinBasics.SourceLocation(path: file.path, line: place.line),
                "the compiler index has `\(name)` at column \(place.column), but the text there differs; not changed (\(change.summary); compiler index)"))
        }
    }
}

extension CompilerTargets {
    /// Whether the compiler compiled a `#if` branch: it recorded something in its body.
    func isActive(_ clause: IfConfigClauseSyntax, in file: SwiftFile, context: RewriteContext) -> Bool {
        guard let compiler = context.compiler, let elements = clause.elements else { return false }
        let first = file.converter.location(for: elements.positionAfterSkippingLeadingTrivia).line
        let last = file.converter.location(for: elements.endPositionBeforeTrailingTrivia).line
        return first <= last && compiler.compiled(file.path, lines: first...last)
    }
}

extension TokenSyntax {
    /// The innermost branch of `#if` the token lies in: the compiler indexes only active ones.
    var ifConfigClause: IfConfigClauseSyntax? {
        var current = parent
        while let node = current {
            if let clause = node.as(IfConfigClauseSyntax.self) { return clause }
            current = node.parent
        }
        return nil
    }

    var isInIfConfigClause: Bool { ifConfigClause != nil }
}

extension SwiftFile {
    /// Where a token starts, as the compiler index spells places (1-based line and UTF-8 column).
    func place(of token: TokenSyntax) -> CompilerOccurrences.Place {
        let location = converter.location(for: token.positionAfterSkippingLeadingTrivia)
        return CompilerOccurrences.Place(path: path, line: location.line, column: location.column)
    }
}

extension SymbolIndex {
    /// The name token of a qualified typealias's declaration.
    func typealiasDeclarations(_ name: String) -> [TokenSyntax] {
        guard let value = aliasedType(name), let declaration = value.parent?.parent?.as(TypeAliasDeclSyntax.self) else { return [] }
        return [declaration.name]
    }
}
