import SkeinBasics

/// Applies a migration's changes to one consumer's worktree: Swift sources through the typed
/// Swift rewrites, config and sample data through the format-preserving config rewrites.
public struct Migrator: Sendable {
    public let migration: Migration

    public init(migration: Migration) {
        self.migration = migration
    }

    /// Computes the edits for a worktree without writing anything (for `--dry-run` and tests).
    /// Files in `passingOver` are not read; each is reported for a person to look at. With the
    /// consumer's compiler index, Swift renames take it as the source of truth and the syntax
    /// resolver decides only what it does not cover. A field name retired and then reused
    /// (`retiredName`) is reported only for a consumer that shows other names of an earlier
    /// version: one that uses nothing but current names means the current field, and current
    /// names are never work (SPEC §3).
    public func plan(_ workspace: Workspace, passingOver: [SkippedFile] = [], compilerIndex: CompilerIndex? = nil) -> RewriteResult {
        var files = workspace.read()
        if !passingOver.isEmpty {
            let paths = Set(passingOver.map(\.path))
            files.swift.removeAll { paths.contains($0.path) }
            files.other.removeAll { paths.contains($0.path) }
        }
        let result = plan(files, migration: migration, passingOver: passingOver, compilerIndex: compilerIndex)
        let reused = Set(migration.changes.filter { if case .retiredName = $0 { true } else { false } }.map(\.summary))
        guard !reused.isEmpty, !result.found.isEmpty, Set(result.found.keys).isSubset(of: reused) else { return result }
        var current = migration
        current.changes.removeAll { reused.contains($0.summary) }
        return plan(files, migration: current, passingOver: passingOver, compilerIndex: compilerIndex)
    }

    private func plan(
        _ files: (swift: [SourceFile], other: [SourceFile], skipped: [SkippedFile]), migration: Migration,
        passingOver: [SkippedFile], compilerIndex: CompilerIndex?
    ) -> RewriteResult {
        var result = RewriteResult()
        result.skipped = files.skipped
        for file in passingOver {
            result.skipped.append(file)
            result.attention.append(AttentionItem(SourceLocation(path: file.path, line: 1), file.reason + "; not edited"))
            result.referencesFound += 1
        }
        result.merge(SwiftRewriter(migration: migration).rewrite(files.swift, compilerIndex: compilerIndex))
        let config = ConfigRewriter(migration: migration)
        result.attention += files.skipped.compactMap(config.unread)
        for file in files.other {
            PlanProgress.at("reading", file.path)
            result.merge(config.rewrite(file))
        }
        result.edits.sort { $0.path < $1.path }
        result.attention.sort()
        return result
    }

    /// The names to read the compiler index for (see `SwiftRewriter.compilerIndexNames`); empty
    /// when no Swift rename concerns the worktree, so a build for the index would be wasted.
    public func compilerIndexNames(_ workspace: Workspace) -> [String] {
        // Most migrations rename nothing in Swift: the worktree is not read for them.
        let renames = migration.changes.contains { change in
            switch change {
            case .renameType, .renameMember, .renameField, .removeField: true
            default: false
            }
        }
        return renames ? SwiftRewriter(migration: migration).compilerIndexNames(workspace.read().swift) : []
    }

    /// Computes and writes the edits. Returns what was done; the paths written are the edits'.
    public func apply(to workspace: Workspace, compilerIndex: CompilerIndex? = nil) throws -> RewriteResult {
        let result = plan(workspace, compilerIndex: compilerIndex)
        _ = try workspace.write(result.edits)
        return result
    }
}
