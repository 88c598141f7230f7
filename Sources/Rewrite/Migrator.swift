import SkeinBasics

/// Applies a migration's changes to one consumer's worktree: Swift sources through the typed
/// Swift rewrites, config and sample data through the format-preserving config rewrites.
public struct Migrator: Sendable {
    public let migration: Migration

    public init(migration: Migration) {
        self.migration = migration
    }

    /// Computes the edits for a worktree without writing anything (for `--dry-run` and tests).
    /// A field name retired and then reused (`retiredName`) is reported only for a consumer
    /// that shows other names of an earlier version: one that uses nothing but current names
    /// means the current field, and current names are never work (SPEC §3).
    public func plan(_ workspace: Workspace) -> RewriteResult {
        let files = workspace.read()
        let result = plan(files, migration: migration)
        let reused = Set(migration.changes.filter { if case .retiredName = $0 { true } else { false } }.map(\.summary))
        guard !reused.isEmpty, !result.found.isEmpty, Set(result.found.keys).isSubset(of: reused) else { return result }
        var current = migration
        current.changes.removeAll { reused.contains($0.summary) }
        return plan(files, migration: current)
    }

    private func plan(
        _ files: (swift: [SourceFile], other: [SourceFile], skipped: [SkippedFile]), migration: Migration
    ) -> RewriteResult {
        var result = RewriteResult()
        result.skipped = files.skipped
        result.merge(SwiftRewriter(migration: migration).rewrite(files.swift))
        let config = ConfigRewriter(migration: migration)
        result.attention += files.skipped.compactMap(config.unread)
        for file in files.other {
            result.merge(config.rewrite(file))
        }
        result.edits.sort { $0.path < $1.path }
        result.attention.sort()
        return result
    }

    /// Computes and writes the edits. Returns what was done; the paths written are the edits'.
    public func apply(to workspace: Workspace) throws -> RewriteResult {
        let result = plan(workspace)
        _ = try workspace.write(result.edits)
        return result
    }
}
