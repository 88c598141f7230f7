import Foundation

import SkeinBasics

/// One planned edit: the byte ranges to replace, what the edit means for the parsed document,
/// and the changes it applies.
struct PlannedEdit: Sendable {
    var splices: [(range: Range<Int>, text: String)]
    var effect: EditEffect
    var changes: [Change]
    var line: Int
    var what: String
}

/// Decides, format-independently, which scalars and keys of a config file a migration changes.
struct ConfigPlanner {
    let migration: Migration
    let path: String
    let format: any ConfigFormat
    let datasets: [DatasetChanges]
    /// Exact-or-prefix string moves: locations and `replaceString` rules.
    let moves: [(from: String, to: String, change: Change)]

    var edits: [PlannedEdit] = []
    var attention: [AttentionItem] = []
    /// References found that were not edited (already reported in `attention`).
    var unedited = 0
    /// Those references per change, keyed by `Change.summary`, where the change is known.
    var found: [String: Int] = [:]
    var edited: Set<Int> = []
    private var sample = false

    init(migration: Migration, path: String, format: any ConfigFormat) {
        self.migration = migration
        self.path = path
        self.format = format
        self.datasets = DatasetChanges.gather(migration)
        var moves: [(String, String, Change)] = []
        for change in migration.changes {
            switch change {
            case let .moveLocation(_, from, to), let .replaceString(from, to):
                if !from.isEmpty, from != to { moves.append((from, to, change)) }
            default: continue
            }
        }
        self.moves = moves
    }

    /// Whether the file's text can concern this migration at all (a cheap filter before parsing).
    func mayConcern(_ text: String) -> Bool {
        if migration.changes.contains(where: { ConfigPlanner.rule($0, appliesTo: path) }) { return true }
        let lowered = text.lowercased()
        for dataset in datasets {
            // Case-insensitive for flat keys like `PLAYS_VERSION`.
            if dataset.allNames.contains(where: { lowered.contains($0.lowercased()) }) { return true }
            if dataset.oldLocations.contains(where: { text.contains($0) }) { return true }
            if dataset.fieldRenames.keys.contains(where: { text.contains($0) }) { return true }
            if dataset.removedFields.keys.contains(where: { text.contains($0) }) { return true }
        }
        return moves.contains { text.contains($0.from) }
    }

    static func rule(_ change: Change, appliesTo path: String) -> Bool {
        switch change {
        case let .configSet(files, _, _), let .configRenameKey(files, _, _), let .configDelete(files, _):
            Glob(files).matches(path)
        default: false
        }
    }

    mutating func plan(_ documents: [ConfigNode]) {
        sample = format.isSampleData(documents)
        for document in documents {
            if isCatalogInfo { backstage(document) }
            walk(document, key: nil)
        }
        for change in migration.changes where ConfigPlanner.rule(change, appliesTo: path) {
            for document in documents { explicit(change, document) }
        }
    }

    var isCatalogInfo: Bool {
        let name = path.split(separator: "/").last ?? ""
        return name == "catalog-info.yaml" || name == "catalog-info.yml"
    }

    // MARK: Dataset changes

    private mutating func walk(_ node: ConfigNode, key: String?) {
        switch node {
        case .scalar(let scalar):
            rewriteValue(scalar)
            commaList(scalar)
        case .sequence(let sequence):
            columnList(sequence.items.compactMap(\.scalar))
            for item in sequence.items { walk(item, key: nil) }
        case .mapping(let mapping):
            mappingChanges(mapping, key: key)
            for entry in mapping.entries { walk(entry.value, key: entry.key.value) }
        }
    }

    /// Locations, `replaceString` and dataset ids in a string value.
    private mutating func rewriteValue(_ scalar: ConfigScalar) {
        guard scalar.isString, !edited.contains(scalar.id) else { return }
        var value = scalar.value
        var changes: [Change] = []
        for move in moves where value == move.from || value.hasPrefix(move.from.hasSuffix("/") ? move.from : move.from + "/") {
            // A location under the old one that is the new one (or under it) is current already.
            if move.to.hasPrefix(move.from + "/"), value == move.to || value.hasPrefix(move.to + "/") { continue }
            value = move.to + value.dropFirst(move.from.count)
            changes.append(move.change)
            break
        }
        if changes.isEmpty {
            for dataset in datasets {
                if let (id, idChanges) = dataset.rewrittenID(value) {
                    value = id
                    changes += idChanges
                    break
                }
            }
        }
        guard !changes.isEmpty else { return }
        setValue(scalar, to: value, kind: .string, changes: changes, what: "value")
    }

    /// A list of column names that covers at least two of a dataset's fields.
    private mutating func columnList(_ items: [ConfigScalar]) {
        let strings = items.filter(\.isString)
        for dataset in datasets where strings.filter({ dataset.fields.contains($0.value) }).count >= 2 {
            for item in strings {
                if let rename = dataset.fieldRenames[item.value] {
                    setValue(item, to: rename.to, kind: .string, changes: [rename.change], what: "column")
                } else if let removal = dataset.removedFields[item.value], !sample {
                    report(item.line, "column '\(item.value)' \(dataset.removalNote(removal))", removal)
                }
            }
        }
    }

    /// A column list in one string: `user_id,track_id,ms_played`.
    private mutating func commaList(_ item: ConfigScalar) {
        guard item.isString, item.value.contains(","), !edited.contains(item.id) else { return }
        let tokens = item.value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let names = tokens.map { $0.trimmingCharacters(in: .whitespaces) }
        for dataset in datasets where names.filter({ dataset.fields.contains($0) }).count >= 2 {
            var changes: [Change] = []
            var rebuilt: [String] = []
            for (token, name) in zip(tokens, names) {
                if let rename = dataset.fieldRenames[name] {
                    rebuilt.append(token.replacingOccurrences(of: name, with: rename.to))
                    changes.append(rename.change)
                } else {
                    if let removal = dataset.removedFields[name], !sample {
                        report(item.line, "column '\(name)' \(dataset.removalNote(removal))", removal)
                    }
                    rebuilt.append(token)
                }
            }
            if !changes.isEmpty {
                setValue(item, to: rebuilt.joined(separator: ","), kind: .string, changes: changes, what: "column list")
            }
        }
    }

    private mutating func mappingChanges(_ mapping: ConfigMapping, key: String?) {
        let keys = mapping.entries.map(\.key)
        for dataset in datasets {
            // Keys of a row or a field map: renamed fields are renamed; a removed field in
            // configuration needs a person, in sample rows it may stay (decoders skip it).
            if keys.filter({ dataset.fields.contains($0.value) }).count >= 2 {
                for entry in mapping.entries {
                    if let rename = dataset.fieldRenames[entry.key.value] {
                        if mapping.entry(rename.to) != nil {
                            report(entry.key.line, "key '\(entry.key.value)' is renamed to '\(rename.to)', which already exists")
                        } else {
                            renameKey(entry.key, to: rename.to, changes: [rename.change])
                        }
                    } else if let removal = dataset.removedFields[entry.key.value], !sample {
                        report(entry.key.line, "key '\(entry.key.value)' \(dataset.removalNote(removal))", removal)
                    }
                }
            }
            guard !sample else { continue }
            for entry in mapping.entries {
                // Config keys naming the dataset, or one of its ids.
                if let rename = dataset.rename, dataset.oldNames.contains(entry.key.value) {
                    renameKey(entry.key, to: dataset.newName, changes: [rename])
                } else if let (id, changes) = dataset.rewrittenID(entry.key.value) {
                    renameKey(entry.key, to: id, changes: changes)
                }
                // Flat version keys: `PLAYS_VERSION=1`, `plays.schema_version: 1`.
                if dataset.isFlatVersionKey(entry.key.value), let scalar = entry.value.scalar {
                    bumpVersion(scalar, dataset)
                }
            }
            guard owns(mapping, dataset, key: key) else { continue }
            for entry in mapping.entries {
                guard let scalar = entry.value.scalar else { continue }
                if isVersionKey(entry.key.value) {
                    bumpVersion(scalar, dataset)
                } else if isDatasetNameKey(entry.key.value) || entry.key.value == "name",
                          let rename = dataset.rename, scalar.isString, dataset.oldNames.contains(scalar.value) {
                    setValue(scalar, to: dataset.newName, kind: .string, changes: [rename], what: "dataset name")
                } else if scalar.isString, let rename = dataset.fieldRenames[scalar.value] {
                    // A single field named in the dataset's own settings (`partition_by: track_id`).
                    setValue(scalar, to: rename.to, kind: .string, changes: [rename.change], what: "field name")
                } else if scalar.isString, let removal = dataset.removedFields[scalar.value] {
                    report(scalar.line, "'\(entry.key.value): \(scalar.value)' \(dataset.removalNote(removal))", removal)
                }
            }
        }
    }

    /// Whether a mapping is the dataset's own: under a key naming it, with a sibling
    /// `name:`/`dataset:` naming it, or holding its location.
    private func owns(_ mapping: ConfigMapping, _ dataset: DatasetChanges, key: String?) -> Bool {
        // A Backstage entity's own name is a component's, not a dataset's.
        if isCatalogInfo && key == "metadata" { return false }
        if let key, dataset.allNames.contains(key) || dataset.rewrittenID(key) != nil { return true }
        for entry in mapping.entries {
            guard let scalar = entry.value.scalar, scalar.isString else { continue }
            if isDatasetNameKey(entry.key.value) || entry.key.value == "name", dataset.allNames.contains(scalar.value) { return true }
            if dataset.isAtOldLocation(scalar.value) { return true }
        }
        return false
    }

    private mutating func bumpVersion(_ scalar: ConfigScalar, _ dataset: DatasetChanges) {
        // Catch-up: the bump from the version this value names, if any.
        for version in dataset.versions where [String(version.from), "v\(version.from)"].contains(scalar.value)
            || Int(scalar.value) == version.from {
            bumpVersion(scalar, version)
            return
        }
    }

    private mutating func bumpVersion(_ scalar: ConfigScalar, _ version: (from: Int, to: Int, change: Change)) {
        let old = String(version.from)
        switch scalar.kind {
        case .integer where scalar.value == old || Int(scalar.value) == version.from:
            setValue(scalar, to: String(version.to), kind: .integer, changes: [version.change], what: "version")
        case .string where scalar.value == old:
            setValue(scalar, to: String(version.to), kind: .string, changes: [version.change], what: "version")
        case .string where scalar.value == "v" + old:
            setValue(scalar, to: "v" + String(version.to), kind: .string, changes: [version.change], what: "version")
        default:
            break
        }
    }

    // MARK: Backstage

    /// `spec.dependsOn: [resource:plays, resource:default/plays]` follows a dataset rename.
    private mutating func backstage(_ document: ConfigNode) {
        guard let items = document.mapping?.entry("spec")?.value.mapping?.entry("dependsOn")?.value.sequence?.items else { return }
        for item in items.compactMap(\.scalar) where item.isString && item.value.hasPrefix("resource:") {
            let reference = item.value.dropFirst("resource:".count)
            let namespace = reference.lastIndex(of: "/").map { reference[...$0] } ?? ""
            let name = String(reference.dropFirst(namespace.count))
            for dataset in datasets {
                if let rename = dataset.rename, dataset.oldNames.contains(name) {
                    setValue(item, to: "resource:" + namespace + dataset.newName, kind: .string, changes: [rename], what: "dependsOn entry")
                }
            }
        }
    }

    // MARK: Explicit rules (one file each in Rules/, listed in ConfigRules)

    private mutating func explicit(_ change: Change, _ document: ConfigNode) {
        switch change {
        case let .configSet(_, path, _), let .configRenameKey(_, path, _), let .configDelete(_, path):
            if let (line, reason) = ConfigPlanner.blocked(document, ConfigPlanner.keys(path)) {
                report(line, "\(path) not followed: \(reason); \(change.summary) not applied")
                return
            }
        default:
            return
        }
        switch change {
        case let .configSet(_, path, value): configSet(path, to: value, change: change, in: document)
        case let .configRenameKey(_, path, to): configRenameKey(path, to: to, change: change, in: document)
        case let .configDelete(_, path): configDelete(path, change: change, in: document)
        default:
            return
        }
    }

    /// Why a path cannot be followed where the text shows it: it goes through a YAML alias, or
    /// reaches a mapping that takes keys from a merge key (`<<`) without the key it needs.
    static func blocked(_ node: ConfigNode, _ keys: [String]) -> (line: Int, reason: String)? {
        guard let key = keys.first else { return nil }
        switch node {
        case .scalar(let scalar) where scalar.refusal == "an alias":
            return (scalar.line, "it goes through an alias (*)")
        case .mapping(let mapping):
            if let entry = mapping.entry(key) { return blocked(entry.value, Array(keys.dropFirst())) }
            if let merge = mapping.entries.first(where: { $0.key.refusal == "a merge key" }) {
                return (merge.key.line, "'\(key)' may come from a merge key (<<)")
            }
            return nil
        default:
            return nil
        }
    }

    /// The keys of a rule's path (checked when the rule file was read).
    static func keys(_ path: String) -> [String] {
        ConfigPath.keys(path) ?? [path]
    }

    /// Follows a rule's keys through mappings, each key matching one key of the file exactly:
    /// a path never matches a key that holds dots. Returns the mapping holding the last entry
    /// found, that entry (nil when the path stops inside the parent) and the keys left.
    static func resolve(_ node: ConfigNode, _ keys: [String]) -> (ConfigMapping, ConfigEntry?, [String])? {
        guard let mapping = node.mapping, !keys.isEmpty else { return nil }
        if mapping.dottedKeys {
            // Flat `.properties`: a dotted key is the nested path it spells, so the path's keys
            // are its parts, and a path key with a dot of its own names nothing here.
            guard !keys.contains(where: { $0.isEmpty || $0.contains(".") }) else { return nil }
            let whole = keys.joined(separator: ".")
            return (mapping, mapping.entry(whole), mapping.entry(whole) == nil ? [whole] : [])
        }
        guard let entry = mapping.entry(keys[0]) else { return (mapping, nil, keys) }
        if keys.count == 1 { return (mapping, entry, []) }
        return resolve(entry.value, Array(keys.dropFirst()))
    }

    // MARK: Edits

    mutating func setValue(_ scalar: ConfigScalar, to value: String, kind: ScalarKind, changes: [Change], what: String) {
        guard !edited.contains(scalar.id) else { return }
        edited.insert(scalar.id)
        guard scalar.refusal == nil, !scalar.spans.isEmpty else {
            report(scalar.line, "\(what) '\(scalar.value)' should become '\(value)' but was not rewritten: \(scalar.refusal ?? "no span")")
            return
        }
        guard let text = format.encode(value, kind: kind, replacing: scalar, isKey: false) else {
            report(scalar.line, "\(what) '\(scalar.value)' should become '\(value)', which this file cannot hold")
            return
        }
        edits.append(PlannedEdit(splices: scalar.spans.map { ($0, text) }, effect: .setValue(id: scalar.id, value: value, kind: kind),
                                 changes: changes, line: scalar.line, what: "\(what) '\(scalar.value)' → '\(value)'"))
    }

    mutating func renameKey(_ key: ConfigScalar, to name: String, changes: [Change]) {
        guard !edited.contains(key.id) else { return }
        edited.insert(key.id)
        guard key.refusal == nil, !key.spans.isEmpty else {
            report(key.line, "key '\(key.value)' should become '\(name)' but was not rewritten: \(key.refusal ?? "no span")")
            return
        }
        guard let text = format.encode(name, kind: .string, replacing: key, isKey: true) else {
            report(key.line, "key '\(key.value)' should become '\(name)', which this file cannot hold")
            return
        }
        edits.append(PlannedEdit(splices: key.spans.map { ($0, text) }, effect: .renameKey(id: key.id, to: name),
                                 changes: changes, line: key.line, what: "key '\(key.value)' → '\(name)'"))
    }

    mutating func insert(into mapping: ConfigMapping, key: String, value: String, kind: ScalarKind, change: Change) {
        guard let point = mapping.insertion, let text = format.entryText(key: key, value: value, kind: kind, at: point) else {
            report(mapping.line, "cannot add '\(key)' here; \(change.summary) not applied")
            return
        }
        edits.append(PlannedEdit(splices: [(point.offset..<point.offset, text)],
                                 effect: .insertEntry(mappingID: mapping.id, key: key, value: value, kind: kind),
                                 changes: [change], line: mapping.line, what: "add '\(key)'"))
    }

    mutating func report(_ line: Int, _ message: String, _ change: Change? = nil) {
        attention.append(AttentionItem(SourceLocation(path: path, line: line), message))
        unedited += 1
        if let change { found[change.summary, default: 0] += 1 }
    }
}
