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
        // Dataset files whose newest migration is planned already: older commits of the same
        // file are part of that migration's history and need no plan of their own.
        var plannedFiles = Set<String>()
        for commit in try repository.log(from: try repository.resolve("HEAD")) {
            let info = try repository.commit(commit)
            let parentTree = try info.parents.first.map { (id) throws(GitError) in try repository.commit(id).tree }
            let paths = try repository.changedPaths(from: parentTree, to: info.tree).map { $0.new ?? $0.old ?? "" }
            let datasetFiles = Set(paths.filter { $0.hasPrefix("datasets/") })
            let touchesMigrations = paths.contains { $0.hasPrefix("migrations/") }
            guard touchesMigrations || !datasetFiles.isSubset(of: plannedFiles) else { continue }
            guard let plan = try? registry.plan(commit: commit.hex) else { continue }
            // Only a file that gave a schema migration is covered: an edit without a schema
            // change leaves the file's older versions to be planned.
            plannedFiles.formUnion(plan.migrations.filter { !$0.origins.isEmpty }.flatMap { $0.transitions.map(\.new.path) })
            for migration in plan.migrations where !seen.contains(migration.id) {
                seen.insert(migration.id)
                result.append(migration)
            }
        }
        // A dataset's newest schema migration carries its whole history (catch-up): the older
        // ones would only report the same uses again, with names that are no longer current.
        var covered = Set<String>()
        return result.filter { migration in
            guard !migration.origins.isEmpty else { return true }
            defer { covered.formUnion(migration.datasets) }
            return covered.isDisjoint(with: migration.datasets)
        }
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
                    for use in uses(old: old, new: new) {
                        findings.append(Finding(
                            location: SourceLocation(path: edit.path, line: index + 1), old: use.old, new: use.new, migration: migration.id))
                    }
                }
            }
            for item in plan.attention where paths?.contains(item.location.path) ?? true {
                findings.append(Finding(location: item.location, old: item.message, new: nil, migration: migration.id))
            }
        }
        var seen = Set<String>()
        return findings.sorted { $0.location < $1.location }.filter { seen.insert($0.description).inserted }
    }

    /// The uses on one rewritten line: each word that changed, old and new (`track_id` →
    /// `track_uri`, a whole location), or the whole line when the words do not pair up.
    static func uses(old: Substring, new: Substring) -> [(old: String, new: String)] {
        func words(_ line: Substring) -> [String] {
            line.split { $0.isWhitespace || "\"'`,;=(){}[]<>".contains($0) }
                .map { String($0.hasSuffix(":") ? $0.dropLast() : $0) }.filter { !$0.isEmpty }
        }
        let before = words(old), after = words(new)
        let whole = [(old: old.trimmingCharacters(in: .whitespaces), new: new.trimmingCharacters(in: .whitespaces))]
        guard before.count == after.count else { return whole }
        let changed = zip(before, after).filter { $0 != $1 }.map { (old: $0.0, new: $0.1) }
        return changed.isEmpty ? whole : changed
    }

    /// `check --staged`: findings on the lines a commit adds, read from the index git names
    /// (`GIT_INDEX_FILE`, relative to the work tree) or the repository's own, compared with
    /// `HEAD`'s version of each file. Lines `HEAD` already held are not the commit's doing and
    /// are not refused.
    public static func staged(in checkout: String, indexFile: String?, migrations: [Migration]) throws -> [Finding] {
        let repository: Repository
        do {
            repository = try Repository.discover(from: checkout)
        } catch {
            throw InputError("\(checkout): not a git repository (\(error.message))")
        }
        let root = repository.workingDirectory ?? checkout
        let index = indexFile.flatMap { $0.isEmpty ? nil : ($0.hasPrefix("/") ? $0 : (root as NSString).appendingPathComponent($0)) }
        let indexTree = try repository.stagedTree(indexFile: index)
        let headTree = try repository.treeOfHead()
        let changed = try repository.changedPaths(from: headTree, to: indexTree).compactMap(\.new)
        guard !changed.isEmpty else { return [] }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("skein-check-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // The whole staged tree gives the rewrites their type context; findings are kept to the
        // changed files, then to the lines the commit adds.
        let all = repository.isHeadUnborn ? [] : try repository.files(in: try repository.resolve("HEAD")).map(\.path)
        try repository.export(tree: indexTree, paths: Array(Set(all + changed)), to: scratch)
        var added: [String: Set<Int>] = [:]
        return find(in: scratch, migrations: migrations, only: Set(changed)).filter { finding in
            let path = finding.location.path
            if added[path] == nil {
                let new = repository.blob(at: path, in: indexTree) ?? Data()
                added[path] = addedLines(old: headTree.flatMap { repository.blob(at: path, in: $0) }, new: new)
            }
            return added[path]!.contains(finding.location.line)
        }
    }

    /// What the pre-commit guard says after its findings: whose guard it is, what to do, and how
    /// to bypass it.
    public static func guardAdvice(_ findings: [Finding]) -> String {
        var branches: [String] = []
        for finding in findings where !branches.contains("skein/\(finding.migration)") { branches.append("skein/\(finding.migration)") }
        let count = findings.count
        return """
            skein pre-commit guard: this commit adds \(count) use\(count == 1 ? "" : "s") of names a dataset migration retired.
            Use the current names, or merge the migration branch (\(branches.joined(separator: ", "))) that moves this repo to them.
            To commit anyway: git commit --no-verify

            """
    }
}

