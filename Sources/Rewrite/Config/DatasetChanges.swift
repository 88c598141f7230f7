import SkeinBasics

/// What a migration changes about one dataset, gathered for the config rewrites: the names it
/// was known by, its location and version moves, and its field renames and removals.
struct DatasetChanges: Sendable {
    var name: String
    /// Ids the dataset had before the migration (a renamed dataset's old id first).
    var oldNames: [String]
    var newName: String
    var rename: Change?
    var version: (from: Int, to: Int, change: Change)?
    /// Every version bump (catch-up brings each earlier version to the current one).
    var versions: [(from: Int, to: Int, change: Change)] = []
    var oldVersion: Int?
    var oldLocations: [String]
    /// Field names a key list or column list is recognised by (old and new).
    var fields: Set<String>
    var fieldRenames: [String: (to: String, change: Change)]
    var removedFields: [String: Change]

    /// The per-dataset view of a migration's changes.
    static func gather(_ migration: Migration) -> [DatasetChanges] {
        var byName: [String: DatasetChanges] = [:]
        var order: [String] = []
        func key(_ dataset: String) -> String { migration.transition(for: dataset)?.name ?? dataset }
        func update(_ dataset: String, _ body: (inout DatasetChanges) -> Void) {
            let name = key(dataset)
            if byName[name] == nil {
                order.append(name)
                let transition = migration.transition(for: dataset)
                var changes = DatasetChanges(
                    name: name, oldNames: [], newName: name, rename: nil, version: nil,
                    oldVersion: transition?.old?.version ?? transition?.new.version,
                    oldLocations: transition?.history.map(\.location) ?? [],
                    fields: [], fieldRenames: [:], removedFields: [:])
                if let transition {
                    changes.oldNames = transition.names.filter { $0 != transition.name || transition.names.count == 1 }
                    for field in transition.history.flatMap(\.fields) { changes.fields.insert(field.name) }
                    for field in transition.new.fields {
                        changes.fields.insert(field.name)
                        if let previous = field.previously { changes.fields.insert(previous) }
                    }
                }
                byName[name] = changes
            }
            body(&byName[name]!)
        }
        for change in migration.changes {
            switch change {
            case let .renameField(dataset, from, to):
                update(dataset) {
                    $0.fieldRenames[from] = (to, change)
                    $0.fields.formUnion([from, to])
                }
            case let .removeField(dataset, field):
                update(dataset) {
                    $0.removedFields[field] = change
                    $0.fields.insert(field)
                }
            case let .moveLocation(dataset, from, _):
                update(dataset) { if !$0.oldLocations.contains(from) { $0.oldLocations.append(from) } }
            case let .bumpVersion(dataset, from, to):
                update(dataset) {
                    if $0.version == nil { $0.version = (from, to, change) }
                    $0.versions.append((from, to, change))
                    $0.oldVersion = $0.oldVersion.map { min($0, from) } ?? from
                }
            case let .renameDataset(from, to):
                update(to) {
                    $0.rename = change
                    $0.newName = to
                    if !$0.oldNames.contains(from) { $0.oldNames.insert(from, at: 0) }
                }
            case let .retiredName(dataset, field):
                // Reported wherever a removed field would be; never renamed.
                update(dataset) {
                    $0.removedFields[field] = change
                    $0.fields.insert(field)
                }
            case let .changeFieldType(dataset, field, _, _):
                update(dataset) { $0.fields.insert(field) }
            case let .addField(dataset, field, _):
                update(dataset) { $0.fields.insert(field) }
            default:
                continue
            }
        }
        for name in order where byName[name]!.oldNames.isEmpty {
            byName[name]!.oldNames = [name]
        }
        return order.map { byName[$0]! }
    }

    /// What a report says of a use of a removed or retired field name.
    func removalNote(_ change: Change) -> String {
        if case .retiredName = change {
            return "may mean a field \(name) retired or the one that has its name now (\(change.summary)); not changed"
        }
        return "names a field removed from \(name) (\(change.summary))"
    }

    /// Every id the dataset answers to in a consumer's files, old and new.
    var allNames: [String] { oldNames + (oldNames.contains(newName) ? [] : [newName]) }

    /// Whether a value is the dataset's old location or a path under it.
    func isAtOldLocation(_ value: String) -> Bool {
        oldLocations.contains { value == $0 || value.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }

    /// The new id for a dataset id like `plays.v1`, `plays_v1` or `plays@1`, with the changes it
    /// applies, or nil when the value is not such an id of the dataset's old version.
    func rewrittenID(_ value: String) -> (String, [Change])? {
        guard rename != nil || version != nil, let oldVersion else { return nil }
        let bumps = versions.isEmpty ? [(from: oldVersion, to: version?.to ?? oldVersion, change: version?.change)]
            : versions.map { (from: $0.from, to: $0.to, change: Optional($0.change)) }
        for name in oldNames + (rename != nil && !oldNames.contains(newName) ? [newName] : []) {
            for bump in bumps {
                for separator in [".v", "_v", "@"] where value == name + separator + String(bump.from) {
                    let changes = [name == newName ? nil : rename, bump.change].compactMap { $0 }
                    let result = newName + separator + String(bump.to)
                    return result == value ? nil : (result, changes)
                }
            }
        }
        return nil
    }

    /// Whether a key names this dataset's own version (`version`, `schema_version`), or is a flat
    /// key like `PLAYS_VERSION` / `plays.schema_version` that does.
    func isFlatVersionKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        for name in oldNames.map({ $0.lowercased() }) {
            for separator in [".", "_", "-"] {
                for suffix in ["version", "schema" + separator + "version", "schema_version"]
                where lowered == name + separator + suffix {
                    return true
                }
            }
        }
        return false
    }
}

/// Whether a key names a dataset's version in the dataset's own mapping.
func isVersionKey(_ key: String) -> Bool {
    ["version", "schema_version", "schemaVersion", "schema-version"].contains(key)
}

/// Whether a key's value names a dataset (`dataset: plays`).
func isDatasetNameKey(_ key: String) -> Bool {
    ["dataset", "dataset_name", "datasetName", "dataset-name"].contains(key)
}
