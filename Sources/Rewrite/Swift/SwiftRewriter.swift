import SkeinBasics

/// Placeholder until the typed Swift rewrites land: changes nothing.
public struct SwiftRewriter: Sendable {
    public let migration: Migration
    public init(migration: Migration) { self.migration = migration }
    public func rewrite(_ files: [SourceFile]) -> RewriteResult { RewriteResult() }
}
