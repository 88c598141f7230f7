/// The branch a migration's commit goes on in each consumer's mirror: `skein/<migration-id>`
/// (SPEC §6), and the `-rollback` branch a merged migration's revert goes on. The one place
/// the naming is spelled.
public struct MigrationBranch: Hashable, Sendable, CustomStringConvertible {
    public var migration: String

    public init(_ migration: String) { self.migration = migration }

    /// Every migration branch's prefix under `refs/heads/`.
    public static let prefix = "skein/"

    /// `skein/<id>`, as people type it.
    public var name: String { Self.prefix + migration }
    /// `refs/heads/skein/<id>`.
    public var reference: String { "refs/heads/" + name }
    /// Where a merged migration's revert goes.
    public var rollback: MigrationBranch { MigrationBranch(migration + "-rollback") }

    public var description: String { name }
}
