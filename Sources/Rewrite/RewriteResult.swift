import SkeinBasics

/// A file of a consumer's worktree, as text: path relative to the worktree root, `/`-separated.
public struct SourceFile: Hashable, Sendable {
    public var path: String
    public var text: String
    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// The new content of one file.
public struct FileEdit: Hashable, Sendable, Codable {
    public var path: String
    public var newText: String
    public init(path: String, newText: String) {
        self.path = path
        self.newText = newText
    }
}

/// A file skein did not look at or would not edit, and why.
public struct SkippedFile: Hashable, Sendable, Codable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

/// What rewriting produced: edits to write, things a person must look at, files passed over,
/// and how many edits each change made.
public struct RewriteResult: Sendable, Codable {
    public var edits: [FileEdit] = []
    public var attention: [AttentionItem] = []
    public var skipped: [SkippedFile] = []
    /// Edits made per change, keyed by `Change.summary`.
    public var counts: [String: Int] = [:]
    /// How many references to the migration's names were found, rewritten or not. A result
    /// with references but no edits is `needs-human`.
    public var referencesFound: Int = 0
    /// How the Swift renames were decided, per change: edits from the compiler index, from the
    /// syntax resolver, and the files the index did not cover. Empty without an index.
    public var resolvedBy: [String] = []
    /// References found per change (rewritten or not), keyed by `Change.summary`: which
    /// changes a consumer still needed, for the version it was found on.
    public var found: [String: Int] = [:]

    public init() {}

    public mutating func count(_ change: Change, _ times: Int = 1) {
        guard times > 0 else { return }
        counts[change.summary, default: 0] += times
    }

    public mutating func merge(_ other: RewriteResult) {
        edits += other.edits
        attention += other.attention
        skipped += other.skipped
        counts.merge(other.counts, uniquingKeysWith: +)
        referencesFound += other.referencesFound
        resolvedBy += other.resolvedBy
        found.merge(other.found, uniquingKeysWith: +)
    }
}
