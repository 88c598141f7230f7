import Foundation
import GitKit
import SkeinBasics

/// What a registry commit, a range of commits or a migration file asks of consumers.
public struct RegistryPlan: Sendable {
    /// One migration per changed dataset, then the explicit migrations, oldest commit first.
    public var migrations: [Migration]
    /// What was seen but not migrated: new or deleted datasets, edits without schema changes.
    public var notes: [String]
    /// Files that could not be used; their datasets or migrations are left out, the rest go on.
    public var errors: [SchemaError]

    public init(migrations: [Migration] = [], notes: [String] = [], errors: [SchemaError] = []) {
        self.migrations = migrations
        self.notes = notes
        self.errors = errors
    }

    /// The plan as `skein plan --json` prints it (SPEC §5), with `notes` and `errors` beside.
    public var json: JSONValue {
        .object([
            ("migrations", .array(migrations.map { migration in
                var pairs: [(String, JSONValue)] = [
                    ("id", .string(migration.id)),
                    ("schema_commit", .string(migration.schemaCommit)),
                    ("datasets", .array(migration.datasets.map(JSONValue.string))),
                    ("changes", .array(migration.changes.map { change in
                        // Catch-up: the version whose names each change takes consumers from.
                        guard let version = migration.origins[change], case .object(let pairs) = change.json else { return change.json }
                        return .object(pairs + [("from_version", .int(version))])
                    })),
                ]
                if let description = migration.description { pairs.append(("description", .string(description))) }
                return .object(pairs)
            })),
            ("notes", .array(notes.map(JSONValue.string))),
            ("errors", .array(errors.map { .string($0.description) })),
        ])
    }

    mutating func append(_ other: RegistryPlan) {
        for migration in other.migrations {
            // A later commit reusing an id (a dataset edited twice without a version bump)
            // extends the earlier migration: its changes apply after the earlier ones.
            if let index = migrations.firstIndex(where: { $0.id == migration.id }) {
                var merged = migrations[index]
                // A schema migration's changes are composed over the whole history already.
                merged.changes = migration.origins.isEmpty ? merged.changes + migration.changes : migration.changes
                merged.origins.merge(migration.origins) { _, new in new }
                merged.schemaCommit = migration.schemaCommit
                for transition in migration.transitions {
                    if let at = merged.transitions.firstIndex(where: { $0.new.name == (transition.old?.name ?? transition.new.name) }) {
                        merged.transitions[at].new = transition.new
                    } else {
                        merged.transitions.append(transition)
                    }
                }
                migrations[index] = merged
            } else {
                migrations.append(migration)
            }
        }
        notes += other.notes
        errors += other.errors
    }
}

/// A schema registry: a git repo (working copy or bare) of `datasets/*.yaml`,
/// `migrations/*.yaml` and an optional `skein.yaml`. Everything is read from commits (no
/// checkout), except `skein.yaml`, which a working copy's own file overrides.
public struct Registry: Sendable {
    /// The path the registry was opened from.
    public let path: String
    /// The working directory, or the git directory of a bare registry.
    public let root: String
    public let isBare: Bool
    public var settings: RegistrySettings

    static let datasetsDirectory = "datasets"
    static let migrationsDirectory = "migrations"

    /// Opens the registry at `path` (a working copy, a directory inside one, or a bare repo)
    /// and reads its settings. Throws `InputError` when it is not a git repo and `SchemaError`
    /// for a malformed `skein.yaml`.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(path): no such registry") }
        let repository: Repository
        do {
            repository = try Repository.discover(from: path)
        } catch {
            throw InputError("\(path): not a git repository (a registry is a git repo of datasets/*.yaml)")
        }
        self.path = path
        isBare = repository.isBare
        var root = repository.workingDirectory ?? repository.gitDirectory
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        self.root = root
        settings = RegistrySettings()
        let settingsPath = (root as NSString).appendingPathComponent("skein.yaml")
        var data: Data?
        if !isBare, FileManager.default.fileExists(atPath: settingsPath) {
            data = FileManager.default.contents(atPath: settingsPath)
        } else if !repository.isHeadUnborn, let head = try? repository.resolve("HEAD") {
            data = try repository.file(at: "skein.yaml", in: head)
        }
        if let data {
            let text = try YAMLDocument.text(of: data, path: "skein.yaml")
            settings = try RegistrySettings.parse(text, path: "skein.yaml", root: root)
        }
    }

    func open() throws -> Repository {
        do {
            return try Repository.discover(from: path)
        } catch {
            throw InputError("\(path): not a git repository")
        }
    }

    /// The commit a revision names, or an `InputError` saying it does not exist.
    func commit(_ revision: String, in repository: Repository) throws -> ObjectID {
        if repository.isHeadUnborn, revision == "HEAD" {
            throw InputError("\(path): the registry has no commits yet")
        }
        do {
            return try repository.resolve(revision)
        } catch {
            throw InputError("\(path): no commit `\(revision)` in the registry")
        }
    }

    /// The sha of `HEAD`.
    public func head() throws -> String {
        try commit("HEAD", in: open()).hex
    }

    // MARK: - Plans

    /// The migrations of one commit (default `HEAD`), compared with its first parent. A
    /// revision `OLD..NEW` plans the range, like `plan(from:to:)`.
    public func plan(commit revision: String? = nil) throws -> RegistryPlan {
        let revision = revision ?? "HEAD"
        if let range = revision.range(of: "..") {
            let old = String(revision[..<range.lowerBound]), new = String(revision[range.upperBound...])
            return try plan(from: old.isEmpty ? "HEAD" : old, to: new.isEmpty ? "HEAD" : new)
        }
        let repository = try open()
        let id = try commit(revision, in: repository)
        let info = try repository.commit(id)
        return try plan(commit: info, parent: info.parents.first, in: repository)
    }

    /// The migrations of every commit in `OLD..NEW` along the first-parent line, oldest first,
    /// each compared with its first parent. An `OLD` of forty zeros (a new branch) plans every
    /// commit up to `NEW`.
    public func plan(from old: String, to new: String) throws -> RegistryPlan {
        let repository = try open()
        let newID = try commit(new, in: repository)
        let oldID: ObjectID? = old.allSatisfy({ $0 == "0" }) && old.count >= 40 ? nil : try commit(old, in: repository)
        var commits: [CommitInfo] = []
        var cursor: ObjectID? = newID
        while let id = cursor, id != oldID {
            if let oldID, try repository.isAncestor(id, of: oldID) { break }
            let info = try repository.commit(id)
            commits.append(info)
            cursor = info.parents.first
        }
        if let oldID, cursor == nil, !(try repository.isAncestor(oldID, of: newID)) {
            throw InputError("\(old) is not an ancestor of \(new) in the registry")
        }
        var result = RegistryPlan()
        for info in commits.reversed() {
            result.append(try plan(commit: info, parent: info.parents.first, in: repository))
        }
        return result
    }

    /// The explicit migration in `migrationFile` (a path on disk, or relative to the registry
    /// root), against the datasets at `HEAD`. Its `schemaCommit` is `HEAD`'s sha (empty for a
    /// registry without commits). A malformed file is thrown, not listed.
    public func plan(migrationFile: String) throws -> RegistryPlan {
        var file = migrationFile
        if !FileManager.default.fileExists(atPath: file) {
            let inRoot = (root as NSString).appendingPathComponent(migrationFile)
            guard FileManager.default.fileExists(atPath: inRoot) else { throw InputError("\(migrationFile): no such migration file") }
            file = inRoot
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw InputError("\(migrationFile): cannot read the file") }
        let repository = try open()
        let head = repository.isHeadUnborn ? nil : try commit("HEAD", in: repository)
        let parsed = try ExplicitMigration.document(data: data, path: migrationFile, schemaCommit: head?.hex ?? "")
        var datasets: [DatasetSpec] = []
        if let head {
            let loaded = try self.datasets(at: head, in: repository)
            datasets = loaded.datasets
        }
        let migration = try resolve(parsed, datasets: datasets, path: migrationFile)
        return RegistryPlan(migrations: [migration])
    }

    func plan(commit info: CommitInfo, parent: ObjectID?, in repository: Repository) throws -> RegistryPlan {
        var result = RegistryPlan()
        let parentTree = try parent.map { (id) throws -> ObjectID in try repository.commit(id).tree }
        let changed = try repository.changedPaths(from: parentTree, to: info.tree)
        let sha = info.id.hex
        let short = info.id.short
        var added: [String] = []
        var deleted: [String] = []
        var modified: [(old: String, new: String)] = []
        var migrationFiles: [String] = []
        for pair in changed {
            if let new = pair.new, Registry.isMigrationFile(new) { migrationFiles.append(new) }
            switch (pair.old.map(Registry.isDatasetFile) == true ? pair.old : nil,
                    pair.new.map(Registry.isDatasetFile) == true ? pair.new : nil) {
            case let (old?, new?): modified.append((old, new))
            case let (nil, new?): added.append(new)
            case let (old?, nil): deleted.append(old)
            case (nil, nil): break
            }
        }
        // Old versions are read lazily: most commits touch one dataset.
        var parentDatasets: [DatasetSpec]?
        func datasetsAtParent() throws -> [DatasetSpec] {
            if let parentDatasets { return parentDatasets }
            let loaded = try parent.map { (id) throws -> [DatasetSpec] in try datasets(at: id, in: repository).datasets } ?? []
            parentDatasets = loaded
            return loaded
        }
        func read(_ path: String, at commit: ObjectID) throws -> DatasetDocument? {
            guard let data = try repository.file(at: path, in: commit) else { return nil }
            return try DatasetFile.document(YAMLDocument.text(of: data, path: path), path: path)
        }
        var renamedAway: Set<String> = []
        var transitions: [(old: DatasetSpec, new: DatasetDocument)] = []
        for path in modified.map(\.new) {
            do {
                guard let new = try read(path, at: info.id) else { continue }
                let old: DatasetDocument?
                do {
                    old = try read(path, at: parent!)
                } catch let error as SchemaError {
                    throw SchemaError(path: error.path, line: error.line, message: "(at \(parent!.short), the version this commit changes) \(error.message)")
                }
                guard let old else { continue }
                transitions.append((old.spec, new))
            } catch let error as SchemaError {
                result.errors.append(error)
            }
        }
        for path in added {
            do {
                guard let new = try read(path, at: info.id) else { continue }
                if let previous = new.spec.previousName,
                   let old = try datasetsAtParent().first(where: { $0.name == previous }) {
                    renamedAway.insert(old.path)
                    transitions.append((old, new))
                } else {
                    result.notes.append("\(path): new dataset `\(new.spec.name)` (v\(new.spec.version)) in \(short); nothing to migrate")
                }
            } catch let error as SchemaError {
                result.errors.append(error)
            }
        }
        for path in deleted where !renamedAway.contains(path) {
            result.notes.append("\(path): dataset deleted in \(short); not migrated")
        }
        for (old, new) in transitions {
            do {
                try DatasetFile.check(old: old, new: new)
            } catch {
                result.errors.append(error)
                continue
            }
            let changes = SchemaDiff.changes(old: old, new: new.spec)
            guard !changes.isEmpty else {
                result.notes.append("\(new.spec.path): edited in \(short) without a schema change; nothing to migrate")
                continue
            }
            if old.version == new.spec.version {
                result.notes.append("\(new.spec.path): the schema changed in \(short) but `version` stayed \(old.version)")
            }
            // Catch-up: consumers of any earlier version go straight to this one.
            var history = (try? self.history(of: new.spec, before: info.id, in: repository)) ?? []
            if history.last.map({ !SchemaDiff.changes(old: $0, new: old).isEmpty }) ?? true { history.append(old) }
            let composed = SchemaDiff.catchUp(history: history, new: new.spec)
            var migration = Migration(
                id: "\(new.spec.name)-v\(new.spec.version)", schemaCommit: sha, datasets: [new.spec.name],
                changes: composed.changes.isEmpty ? changes : composed.changes,
                transitions: [DatasetTransition(old: old, new: new.spec, earlier: Array(history.dropLast()))])
            migration.origins = composed.origins
            result.migrations.append(migration)
        }
        if !migrationFiles.isEmpty {
            let current = try datasets(at: info.id, in: repository).datasets
            for path in migrationFiles.sorted() {
                do {
                    guard let data = try repository.file(at: path, in: info.id) else { continue }
                    let parsed = try ExplicitMigration.document(data: data, path: path, schemaCommit: sha)
                    let migration = try resolve(parsed, datasets: current, path: path)
                    if result.migrations.contains(where: { $0.id == migration.id }) {
                        result.errors.append(SchemaError(
                            path: path, line: parsed.idLine,
                            message: "migration id `\(migration.id)` is also the id of a schema change in this commit"))
                        continue
                    }
                    result.migrations.append(migration)
                } catch let error as SchemaError {
                    result.errors.append(error)
                }
            }
        }
        return result
    }

    /// Fills in the transitions of an explicit migration from the registry's datasets,
    /// refusing names the registry does not have.
    func resolve(_ parsed: ExplicitMigration.Document, datasets: [DatasetSpec], path: String) throws(SchemaError) -> Migration {
        var migration = parsed.migration
        if migration.appliesToWholeFleet {
            migration.transitions = datasets.map { DatasetTransition(old: nil, new: $0) }
            return migration
        }
        for name in migration.datasets {
            guard let spec = datasets.first(where: { $0.name == name || $0.previousName == name }) else {
                let known = datasets.map(\.name).sorted().joined(separator: ", ")
                throw SchemaError(
                    path: path, line: parsed.datasetsLine,
                    message: "no dataset `\(name)` in the registry (it has: \(known.isEmpty ? "none" : known); or use `all`)")
            }
            if !migration.transitions.contains(where: { $0.new.name == spec.name }) {
                migration.transitions.append(DatasetTransition(old: nil, new: spec))
            }
        }
        return migration
    }

    // MARK: - Datasets

    static func isDatasetFile(_ path: String) -> Bool {
        path.hasPrefix(datasetsDirectory + "/") && (path.hasSuffix(".yaml") || path.hasSuffix(".yml"))
    }

    static func isMigrationFile(_ path: String) -> Bool {
        path.hasPrefix(migrationsDirectory + "/") && (path.hasSuffix(".yaml") || path.hasSuffix(".yml"))
    }

    /// Every dataset at a revision (default `HEAD`), and the files that could not be read.
    public func datasets(at revision: String = "HEAD") throws -> (datasets: [DatasetSpec], errors: [SchemaError]) {
        let repository = try open()
        return try datasets(at: commit(revision, in: repository), in: repository)
    }

    func datasets(at commit: ObjectID, in repository: Repository) throws -> (datasets: [DatasetSpec], errors: [SchemaError]) {
        var datasets: [DatasetSpec] = []
        var errors: [SchemaError] = []
        for entry in try repository.files(in: commit, under: Registry.datasetsDirectory)
        where Registry.isDatasetFile(entry.path) && entry.kind != .symlink && entry.kind != .submodule {
            do {
                let data = try repository.blob(entry.blob)
                datasets.append(try DatasetFile.parse(data: data, path: entry.path))
            } catch let error as SchemaError {
                errors.append(error)
            }
        }
        return (datasets.sorted { $0.name < $1.name }, errors)
    }

    /// Every dataset at `HEAD` with its earlier versions (`old` the one before its latest
    /// schema change, nil when it has not changed since it was added): what discovery searches
    /// consumers for, since consumers not yet migrated still reference old locations and names.
    public func transitions(at revision: String = "HEAD", historyLimit: Int = 2_000) throws -> (transitions: [DatasetTransition], errors: [SchemaError]) {
        let repository = try open()
        let tip = try commit(revision, in: repository)
        let (current, errors) = try datasets(at: tip, in: repository)
        let histories = try self.histories(of: current, before: tip, in: repository, limit: historyLimit)
        return (zip(current, histories).map { DatasetTransition(old: $1.last, new: $0, earlier: Array($1.dropLast())) }, errors)
    }

    func datasetBlobs(at commit: ObjectID, in repository: Repository) throws -> [String: ObjectID] {
        var blobs: [String: ObjectID] = [:]
        for entry in try repository.files(in: commit, under: Registry.datasetsDirectory) where Registry.isDatasetFile(entry.path) {
            blobs[entry.path] = entry.blob
        }
        return blobs
    }
}
