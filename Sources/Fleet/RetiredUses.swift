import Foundation
import GitKit
import Rewrite
import Schema
import SkeinBasics

/// `skein check`: uses, in a consumer checkout, of what the registry's migrations retired. The
/// finder runs the same typed rewrites a migration would (so an old field name counts only
/// where it resolves to the dataset's record type) and reports each line they would change.
public enum RetiredUses {
    public struct Finding: Sendable, CustomStringConvertible {
        public var location: SourceLocation
        public var old: String
        public var new: String?
        public var migration: String
        public var description: String {
            "\(location): " + (new.map { "\(old) → \($0)" } ?? old) + " (\(migration))"
        }
    }

    /// Every schema migration in the registry's history (newest first; an explicit migration
    /// counts too). Malformed dataset files are passed over: `check` is a guard, not a linter of
    /// the registry.
    public static func migrations(registryPath: String) throws -> [Migration] {
        let registry = try Registry(path: registryPath)
        let repository = try Repository.discover(from: registryPath)
        guard !repository.isHeadUnborn else { return [] }
        var seen = Set<String>()
        var result: [Migration] = []
        for commit in try repository.log(from: try repository.resolve("HEAD")) {
            let info = try repository.commit(commit)
            let parentTree = try info.parents.first.map { (id) throws(GitError) in try repository.commit(id).tree }
            let touchesSchemas = try repository.changedPaths(from: parentTree, to: info.tree).contains {
                ($0.new ?? $0.old ?? "").hasPrefix("datasets/") || ($0.new ?? $0.old ?? "").hasPrefix("migrations/")
            }
            guard touchesSchemas, let plan = try? registry.plan(commit: commit.hex) else { continue }
            for migration in plan.migrations where !seen.contains(migration.id) {
                seen.insert(migration.id)
                result.append(migration)
            }
        }
        return result
    }

    /// Findings in the files under `root` (optionally only `paths`, relative to it).
    public static func find(in root: String, migrations: [Migration], only paths: Set<String>? = nil, exclude: [Glob] = []) -> [Finding] {
        let workspace = Workspace(root: root, exclude: exclude)
        let files = workspace.read()
        let originals = Dictionary((files.swift + files.other).map { ($0.path, $0.text) }, uniquingKeysWith: { a, _ in a })
        var findings: [Finding] = []
        for migration in migrations {
            // Only what the migration retires: explicit `run` commands and config rules are not uses.
            let plan = Migrator(migration: migration).plan(workspace)
            for edit in plan.edits where paths?.contains(edit.path) ?? true {
                let oldLines = (originals[edit.path] ?? "").split(separator: "\n", omittingEmptySubsequences: false)
                let newLines = edit.newText.split(separator: "\n", omittingEmptySubsequences: false)
                guard oldLines.count == newLines.count else {
                    findings.append(Finding(location: SourceLocation(path: edit.path, line: 1), old: "retired names", new: nil, migration: migration.id))
                    continue
                }
                for (index, (old, new)) in zip(oldLines, newLines).enumerated() where old != new {
                    findings.append(Finding(
                        location: SourceLocation(path: edit.path, line: index + 1),
                        old: old.trimmingCharacters(in: .whitespaces), new: new.trimmingCharacters(in: .whitespaces),
                        migration: migration.id))
                }
            }
            for item in plan.attention where paths?.contains(item.location.path) ?? true {
                findings.append(Finding(location: item.location, old: item.message, new: nil, migration: migration.id))
            }
        }
        return findings.sorted { $0.location < $1.location }
    }

    /// Uses in the staged content of the files the index changes against HEAD (what a
    /// pre-commit hook checks). The whole staged tree gives the rewrites their type context;
    /// findings are kept to the changed files.
    public static func findStaged(inRepositoryAt path: String, migrations: [Migration]) throws -> [Finding] {
        let repository = try Repository.discover(from: path)
        let indexTree = try repository.stagedTree()
        let changed = try repository.changedPaths(from: try repository.treeOfHead(), to: indexTree).compactMap(\.new)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("skein-check-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let all = repository.isHeadUnborn ? [] : try repository.files(in: try repository.resolve("HEAD")).map(\.path)
        try repository.export(tree: indexTree, paths: Array(Set(all + changed)), to: scratch)
        return find(in: scratch, migrations: migrations, only: Set(changed))
    }
}
