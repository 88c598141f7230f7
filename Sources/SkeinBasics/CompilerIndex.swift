/// What the compiler's index store of one consumer says about the names a migration concerns:
/// the symbols of those names, where each is written, and how declarations relate (a witness to
/// its protocol requirement, an override to what it overrides, a member to its type).
///
/// Read from the store the consumer's own build wrote (in a separate process, since those bytes
/// are the consumer's), with every path made relative to the consumer's worktree. Plain values,
/// so planning can take it as input wherever planning runs.
public struct CompilerIndex: Codable, Sendable, Equatable {
    /// Symbols by USR: those of the names asked for and those their occurrences relate to.
    public var symbols: [String: IndexSymbol]
    public var occurrences: [IndexOccurrence]
    /// The worktree's files the compiler compiled (the main files of the store's units): for
    /// these the index is the whole truth, inactive `#if` branches aside.
    public var files: [String]
    /// Paths the store named outside the package (never edited), for the report.
    public var dropped: [String]
    /// True when the store held more than the reader keeps; the index is then not used.
    public var truncated: Bool
    /// Per compiled file, the lines where the compiler recorded any symbol at all: a branch of
    /// `#if` with such lines was compiled (active), one without was not.
    public var indexedLines: [String: [Int]]?

    public init(symbols: [String: IndexSymbol] = [:], occurrences: [IndexOccurrence] = [], files: [String] = [],
                dropped: [String] = [], truncated: Bool = false) {
        self.symbols = symbols
        self.occurrences = occurrences
        self.files = files
        self.dropped = dropped
        self.truncated = truncated
    }
}

/// One symbol of the index.
public struct IndexSymbol: Codable, Sendable, Hashable {
    /// The compiler's unique name for it (`s:5Files6FolderV`).
    public var usr: String
    /// As the compiler names it: `major`, `reversed()`, `file(_:)`.
    public var name: String
    public var kind: IndexSymbolKind

    public init(usr: String, name: String, kind: IndexSymbolKind) {
        self.usr = usr
        self.name = name
        self.kind = kind
    }

    /// The name without its argument labels: `reversed()` → `reversed`.
    public var baseName: String { String(name.prefix { $0 != "(" }) }
}

/// What kind of declaration a symbol is, as far as renames care.
public enum IndexSymbolKind: String, Codable, Sendable, Hashable {
    case `struct`, `class`, `enum`, `protocol`, `extension`, `typealias`, associatedType, genericParameter
    case function, variable, field, enumCase, instanceMethod, classMethod, staticMethod
    case instanceProperty, classProperty, staticProperty, constructor, parameter, module, other

    public var isType: Bool { [.struct, .class, .enum, .protocol, .typealias, .associatedType].contains(self) }
}

/// One place the index says a symbol is written.
public struct IndexOccurrence: Codable, Sendable, Hashable {
    public var usr: String
    /// Relative to the worktree, `/`-separated.
    public var path: String
    /// 1-based line and 1-based UTF-8 column of the name's first byte.
    public var line: Int
    public var column: Int
    public var roles: SymbolRoles
    public var relations: [IndexRelation]

    public init(usr: String, path: String, line: Int, column: Int, roles: SymbolRoles, relations: [IndexRelation] = []) {
        self.usr = usr
        self.path = path
        self.line = line
        self.column = column
        self.roles = roles
        self.relations = relations
    }
}

/// How an occurrence relates to another symbol (`overrideOf` a requirement, `childOf` a type).
public struct IndexRelation: Codable, Sendable, Hashable {
    public var usr: String
    public var roles: SymbolRoles

    public init(usr: String, roles: SymbolRoles) {
        self.usr = usr
        self.roles = roles
    }
}

/// The index store's symbol roles (the same bits as `indexstore_symbol_role_t`).
public struct SymbolRoles: OptionSet, Codable, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let declaration = SymbolRoles(rawValue: 1 << 0)
    public static let definition = SymbolRoles(rawValue: 1 << 1)
    public static let reference = SymbolRoles(rawValue: 1 << 2)
    public static let read = SymbolRoles(rawValue: 1 << 3)
    public static let write = SymbolRoles(rawValue: 1 << 4)
    public static let call = SymbolRoles(rawValue: 1 << 5)
    public static let dynamic = SymbolRoles(rawValue: 1 << 6)
    /// Not written in the source (a synthesized conformance, an implicit `self`).
    public static let implicit = SymbolRoles(rawValue: 1 << 8)
    public static let childOf = SymbolRoles(rawValue: 1 << 9)
    public static let baseOf = SymbolRoles(rawValue: 1 << 10)
    /// A witness of a protocol requirement, or an override of a superclass member.
    public static let overrideOf = SymbolRoles(rawValue: 1 << 11)
    public static let receivedBy = SymbolRoles(rawValue: 1 << 12)
    public static let calledBy = SymbolRoles(rawValue: 1 << 13)
    public static let extendedBy = SymbolRoles(rawValue: 1 << 14)
    public static let accessorOf = SymbolRoles(rawValue: 1 << 15)
    public static let containedBy = SymbolRoles(rawValue: 1 << 16)
}

/// What to read from a store: the names a migration concerns, and where the package was when it
/// was built (the sandbox's mount point, or the worktree itself without a sandbox).
public struct CompilerIndexQuery: Codable, Sendable, Equatable {
    public var store: String
    /// The package root as the paths in the store spell it.
    public var packageRoot: String
    /// Base names (`reversed`, not `reversed()`) whose symbols are wanted.
    public var names: [String]
    /// At most this many occurrences are kept (the result says `truncated` beyond).
    public var maximumOccurrences: Int

    public init(store: String, packageRoot: String, names: [String], maximumOccurrences: Int = 200_000) {
        self.store = store
        self.packageRoot = packageRoot
        self.names = names
        self.maximumOccurrences = maximumOccurrences
    }
}
