import SkeinBasics

/// Placeholder until the config rewrites land: changes nothing.
public struct ConfigRewriter: Sendable {
    public let migration: Migration
    public init(migration: Migration) { self.migration = migration }
    public func rewrite(_ file: SourceFile) -> RewriteResult { RewriteResult() }
}
