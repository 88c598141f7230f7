/// What kind of member a `renameMember` rule means when a type has several of that name.
public enum MemberKind: String, Hashable, Sendable, Codable, CaseIterable {
    case `case`, property, method
}

/// A value a `configSet` rule writes: YAML/JSON/TOML scalars.
public enum ConfigValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case double(Double)
    case bool(Bool)
    case null

    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): String(value)
        case .null: "null"
        }
    }
}

/// One typed change a migration applies to consumers: derived from a schema diff (SPEC §3) or
/// a rule of an explicit migration (SPEC §4).
public enum Change: Hashable, Sendable, Codable {
    // Derived from a schema diff.
    case renameField(dataset: String, from: String, to: String)
    case changeFieldType(dataset: String, field: String, from: ColumnType, to: ColumnType)
    case removeField(dataset: String, field: String)
    case addField(dataset: String, field: String, type: ColumnType)
    case moveLocation(dataset: String, from: String, to: String)
    case bumpVersion(dataset: String, from: Int, to: Int)
    case renameDataset(from: String, to: String)
    /// A field name an earlier version retired (renamed or removed) that the current version
    /// uses again for another field: uses are reported, never rewritten, since only a person
    /// can tell which field a consumer means.
    case retiredName(dataset: String, field: String)
    // Rules of an explicit migration.
    case renameType(from: String, to: String)
    case renameMember(type: String, from: String, to: String, kind: MemberKind?)
    case renameModule(from: String, to: String)
    case replaceString(from: String, to: String)
    case configSet(files: String, path: String, value: ConfigValue)
    case configRenameKey(files: String, path: String, to: String)
    case configDelete(files: String, path: String)
    case run(command: String)

    /// The change's kind as the contract names it (`renameField`, `configSet`, ...).
    public var kind: String {
        switch self {
        case .renameField: "renameField"
        case .changeFieldType: "changeFieldType"
        case .removeField: "removeField"
        case .addField: "addField"
        case .moveLocation: "moveLocation"
        case .bumpVersion: "bumpVersion"
        case .renameDataset: "renameDataset"
        case .retiredName: "retiredName"
        case .renameType: "renameType"
        case .renameMember: "renameMember"
        case .renameModule: "renameModule"
        case .replaceString: "replaceString"
        case .configSet: "configSet"
        case .configRenameKey: "configRenameKey"
        case .configDelete: "configDelete"
        case .run: "run"
        }
    }

    /// The change's arguments as `plan --json` prints them (beside `kind`).
    public var arguments: [(String, JSONValue)] {
        switch self {
        case let .renameField(dataset, from, to): [("dataset", .string(dataset)), ("from", .string(from)), ("to", .string(to))]
        case let .changeFieldType(dataset, field, from, to):
            [("dataset", .string(dataset)), ("field", .string(field)), ("from", .string(from.description)), ("to", .string(to.description))]
        case let .removeField(dataset, field): [("dataset", .string(dataset)), ("field", .string(field))]
        case let .addField(dataset, field, type):
            [("dataset", .string(dataset)), ("field", .string(field)), ("type", .string(type.type.rawValue)), ("nullable", .bool(type.nullable))]
        case let .moveLocation(dataset, from, to): [("dataset", .string(dataset)), ("from", .string(from)), ("to", .string(to))]
        case let .bumpVersion(dataset, from, to): [("dataset", .string(dataset)), ("from", .int(from)), ("to", .int(to))]
        case let .renameDataset(from, to): [("from", .string(from)), ("to", .string(to))]
        case let .retiredName(dataset, field): [("dataset", .string(dataset)), ("field", .string(field))]
        case let .renameType(from, to): [("from", .string(from)), ("to", .string(to))]
        case let .renameMember(type, from, to, kind):
            [("type", .string(type)), ("from", .string(from)), ("to", .string(to))] + (kind.map { [("kind", .string($0.rawValue))] } ?? [])
        case let .renameModule(from, to): [("from", .string(from)), ("to", .string(to))]
        case let .replaceString(from, to): [("from", .string(from)), ("to", .string(to))]
        case let .configSet(files, path, value): [("files", .string(files)), ("path", .string(path)), ("value", JSONValue(value))]
        case let .configRenameKey(files, path, to): [("files", .string(files)), ("path", .string(path)), ("to", .string(to))]
        case let .configDelete(files, path): [("files", .string(files)), ("path", .string(path))]
        case let .run(command): [("command", .string(command))]
        }
    }

    /// The change as one JSON object: `{"kind": ..., arguments...}`.
    public var json: JSONValue {
        .object([("kind", .string(kind))] + arguments)
    }

    /// A one-line human summary: `renameField plays: track_id → track_uri`.
    public var summary: String {
        switch self {
        case let .renameField(dataset, from, to): "renameField \(dataset): \(from) → \(to)"
        case let .changeFieldType(dataset, field, from, to): "changeFieldType \(dataset).\(field): \(from) → \(to)"
        case let .removeField(dataset, field): "removeField \(dataset).\(field)"
        case let .addField(dataset, field, type): "addField \(dataset).\(field): \(type)"
        case let .moveLocation(dataset, from, to): "moveLocation \(dataset): \(from) → \(to)"
        case let .bumpVersion(dataset, from, to): "bumpVersion \(dataset): \(from) → \(to)"
        case let .renameDataset(from, to): "renameDataset \(from) → \(to)"
        case let .retiredName(dataset, field): "retiredName \(dataset).\(field): retired, then reused for another field"
        case let .renameType(from, to): "renameType \(from) → \(to)"
        case let .renameMember(type, from, to, kind): "renameMember \(type).\(from) → \(to)" + (kind.map { " (\($0.rawValue))" } ?? "")
        case let .renameModule(from, to): "renameModule \(from) → \(to)"
        case let .replaceString(from, to): "replaceString \(from) → \(to)"
        case let .configSet(files, path, value): "configSet \(path) = \(value) in \(files)"
        case let .configRenameKey(files, path, to): "configRenameKey \(path) → \(to) in \(files)"
        case let .configDelete(files, path): "configDelete \(path) in \(files)"
        case let .run(command): "run \(command)"
        }
    }
}

/// A migration: an id, the typed changes it applies, and the datasets it concerns.
public struct Migration: Hashable, Sendable, Codable {
    /// `<dataset>-v<version>`, or the `id:` of an explicit migration.
    public var id: String
    /// The registry commit it came from (40 hex digits), or empty for a file given by hand.
    public var schemaCommit: String
    public var description: String?
    /// Datasets whose consumers it applies to; `["all"]` for the whole fleet.
    public var datasets: [String]
    public var changes: [Change]
    /// The datasets before and after, for the rewrites to know records, fields and locations.
    public var transitions: [DatasetTransition]
    /// The schema commit's subject and author, when the registry was read for them.
    public var reason: MigrationReason?
    /// For a schema migration, the dataset version each change takes consumers from: the
    /// oldest version whose names the change's `from` side is (SPEC §3, catch-up). Absent for
    /// explicit rules.
    public var origins: [Change: Int] = [:]
    /// The migration's own staged rollout (an explicit migration's `rollout:`); nil to follow
    /// the registry's.
    public var rollout: Rollout?

    public init(
        id: String, schemaCommit: String, description: String? = nil, datasets: [String],
        changes: [Change], transitions: [DatasetTransition]
    ) {
        self.id = id
        self.schemaCommit = schemaCommit
        self.description = description
        self.datasets = datasets
        self.changes = changes
        self.transitions = transitions
    }

    public var appliesToWholeFleet: Bool { datasets.contains("all") }

    public func transition(for dataset: String) -> DatasetTransition? {
        transitions.first { $0.new.name == dataset || $0.old?.name == dataset }
            ?? transitions.first { $0.names.contains(dataset) }
    }

    /// The changes grouped by the dataset version they take consumers from, oldest first; one
    /// group with a nil version for changes without one (explicit rules).
    public var changesByOrigin: [(version: Int?, changes: [Change])] {
        var groups: [(version: Int?, changes: [Change])] = []
        for change in changes {
            let version = origins[change]
            if let index = groups.firstIndex(where: { $0.version == version }) {
                groups[index].changes.append(change)
            } else {
                groups.append((version, [change]))
            }
        }
        return groups.sorted { ($0.version ?? .max) < ($1.version ?? .max) }
    }

    /// The oldest dataset version among the changes that found something in a consumer
    /// (`from_version` in the ledger), given counts keyed by `Change.summary`; nil when none
    /// of them carries a version.
    public func fromVersion(applied counts: [String: Int]) -> Int? {
        changes.filter { (counts[$0.summary] ?? 0) > 0 }.compactMap { origins[$0] }.min()
    }
}
