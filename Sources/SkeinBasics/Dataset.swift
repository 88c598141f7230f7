/// The column types a dataset file may declare (SPEC §2).
public enum FieldType: String, Hashable, Sendable, CaseIterable, Codable {
    case string, bool, int32, int64, float, double, timestamp, date, bytes

    /// The Swift type a consumer's record uses for this column.
    public var swiftType: String {
        switch self {
        case .string: "String"
        case .bool: "Bool"
        case .int32: "Int32"
        case .int64: "Int64"
        case .float: "Float"
        case .double: "Double"
        case .timestamp, .date: "Date"
        case .bytes: "Data"
        }
    }
}

/// A column type with its nullability: `int64`, or `string?` when nullable.
public struct ColumnType: Hashable, Sendable, Codable, CustomStringConvertible {
    public var type: FieldType
    public var nullable: Bool
    public init(_ type: FieldType, nullable: Bool = false) {
        self.type = type
        self.nullable = nullable
    }
    public var description: String { type.rawValue + (nullable ? "?" : "") }
    /// `Int64`, or `String?` when nullable.
    public var swiftType: String { type.swiftType + (nullable ? "?" : "") }
}

/// One field of a dataset file.
public struct FieldSpec: Hashable, Sendable, Codable {
    public var name: String
    public var column: ColumnType
    /// The name this field had before (`previously:`), marking a rename.
    public var previously: String?
    /// 1-based line of the field's entry in its file.
    public var line: Int

    public init(name: String, column: ColumnType, previously: String? = nil, line: Int = 0) {
        self.name = name
        self.column = column
        self.previously = previously
        self.line = line
    }
}

/// A parsed `datasets/<name>.yaml` (SPEC §2).
public struct DatasetSpec: Hashable, Sendable, Codable {
    public var name: String
    /// The dataset's former id (`previously:` at the top level), marking a dataset rename.
    public var previousName: String?
    public var version: Int
    public var location: String
    public var owner: String?
    /// `swift.record`: the Codable type consumers decode rows into.
    public var record: String?
    public var fields: [FieldSpec]
    /// The registry path it was read from, for messages.
    public var path: String

    public init(
        name: String, previousName: String? = nil, version: Int, location: String, owner: String? = nil,
        record: String? = nil, fields: [FieldSpec], path: String = ""
    ) {
        self.name = name
        self.previousName = previousName
        self.version = version
        self.location = location
        self.owner = owner
        self.record = record
        self.fields = fields
        self.path = path
    }

    public func field(named name: String) -> FieldSpec? { fields.first { $0.name == name } }
}

/// A dataset before and after a schema commit. `old` is nil for an explicit migration that
/// names a dataset without a diff.
public struct DatasetTransition: Hashable, Sendable, Codable {
    public var old: DatasetSpec?
    public var new: DatasetSpec
    /// Every version before `old`, oldest first: what consumers left behind may still use.
    public var earlier: [DatasetSpec]

    public init(old: DatasetSpec?, new: DatasetSpec, earlier: [DatasetSpec] = []) {
        self.old = old
        self.new = new
        self.earlier = earlier
    }

    /// Every version before `new`, oldest first.
    public var history: [DatasetSpec] { earlier + (old.map { [$0] } ?? []) }

    /// The dataset's current id.
    public var name: String { new.name }
    /// Every id the dataset was known by (old first), for discovery and `check`.
    public var names: [String] {
        var result: [String] = []
        for name in earlier.map(\.name) + [old?.name, new.previousName, new.name].compactMap({ $0 }) where !result.contains(name) {
            result.append(name)
        }
        return result
    }
    /// The record type consumers decode rows into, if the registry names one.
    public var record: String? { new.record ?? old?.record }
}
