import Foundation
import SkeinBasics
import Yams

/// A parsed dataset file with the lines of its top-level keys, for messages that compare two
/// versions of it.
public struct DatasetDocument: Hashable, Sendable {
    public var spec: DatasetSpec
    /// 1-based line of each top-level key (`version`, `location`, `previously`, ...).
    public var lines: [String: Int]
    /// 1-based line of each field's `previously:` value, by field name.
    public var previouslyLines: [String: Int]
}

/// Reads `datasets/<name>.yaml` (SPEC §2), refusing anything a migration could not be derived
/// from: every error names the file and line.
public enum DatasetFile {
    static let topLevelKeys = ["name", "previously", "version", "location", "owner", "description", "swift", "fields", "tags"]
    static let fieldKeys = ["name", "type", "nullable", "previously", "description"]

    /// The dataset a file describes.
    public static func parse(_ text: String, path: String) throws(SchemaError) -> DatasetSpec {
        try document(text, path: path).spec
    }

    /// The dataset a file's bytes describe, refusing text that is not UTF-8.
    public static func parse(data: Data, path: String) throws(SchemaError) -> DatasetSpec {
        try document(YAMLDocument.text(of: data, path: path), path: path).spec
    }

    /// The dataset a file describes, with the lines of its keys.
    public static func document(_ text: String, path: String) throws(SchemaError) -> DatasetDocument {
        let reader = YAMLReader(path: path)
        guard let root = try YAMLDocument.compose(text, path: path) else {
            throw SchemaError(path: path, line: 0, message: "the dataset file is empty")
        }
        let pairs = try reader.pairs(root, "a dataset file")
        try reader.checkKeys(root, "a dataset file", allowed: topLevelKeys)
        var values: [String: Node] = [:]
        var lines: [String: Int] = [:]
        for pair in pairs {
            values[pair.key] = pair.value
            lines[pair.key] = reader.line(pair.keyNode)
        }
        func required(_ key: String) throws(SchemaError) -> Node {
            guard let node = values[key] else {
                throw SchemaError(path: path, line: reader.line(root), message: "missing `\(key)`")
            }
            return node
        }
        let name = try reader.nonEmptyString(try required("name"), "`name`")
        try checkDatasetName(name, node: values["name"]!, reader: reader)
        let previousName = try values["previously"].map { (node) throws(SchemaError) -> String in
            let previous = try reader.nonEmptyString(node, "`previously`")
            try checkDatasetName(previous, node: node, reader: reader)
            if previous == name { throw reader.fail(node, "`previously` names the dataset itself") }
            return previous
        }
        let versionNode = try required("version")
        let version = try reader.int(versionNode, "`version`")
        if version < 0 { throw reader.fail(versionNode, "`version` must not be negative") }
        let location = try reader.nonEmptyString(try required("location"), "`location`")
        let owner = try values["owner"].map { (node) throws(SchemaError) -> String in try reader.string(node, "`owner`") }
        var record: String?
        if let swift = values["swift"] {
            try reader.checkKeys(swift, "`swift`", allowed: ["record"])
            if let recordNode = try reader.mapping(swift, "`swift`")["record"] {
                let name = try reader.nonEmptyString(recordNode, "`swift.record`")
                guard ExplicitMigration.isTypeName(name) else {
                    throw reader.fail(recordNode, "`swift.record` must be a Swift type name, not `\(name)`")
                }
                record = name
            }
        }
        let fieldsNode = try required("fields")
        var fields: [FieldSpec] = []
        var previouslyLines: [String: Int] = [:]
        var previousOwners: [String: String] = [:]
        for item in try reader.sequence(fieldsNode, "`fields`") {
            try reader.checkKeys(item, "a field", allowed: fieldKeys)
            let map = try reader.mapping(item, "a field")
            guard let nameNode = map["name"] else { throw reader.fail(item, "a field without `name`") }
            let fieldName = try reader.nonEmptyString(nameNode, "a field's `name`")
            guard let typeNode = map["type"] else { throw reader.fail(item, "field `\(fieldName)` has no `type`") }
            let typeName = try reader.string(typeNode, "the `type` of field `\(fieldName)`")
            guard let type = FieldType(rawValue: typeName) else {
                let known = FieldType.allCases.map(\.rawValue).joined(separator: ", ")
                throw reader.fail(typeNode, "unknown field type `\(typeName)` for field `\(fieldName)` (expected one of \(known))")
            }
            let nullable = try map["nullable"].map { (node) throws(SchemaError) -> Bool in
                try reader.bool(node, "`nullable` of field `\(fieldName)`")
            } ?? false
            if let earlier = fields.first(where: { $0.name == fieldName }) {
                throw reader.fail(nameNode, "duplicate field `\(fieldName)` (first declared on line \(earlier.line))")
            }
            var previously: String?
            if let previousNode = map["previously"] {
                let previous = try reader.nonEmptyString(previousNode, "`previously` of field `\(fieldName)`")
                if previous == fieldName { throw reader.fail(previousNode, "field `\(fieldName)` names itself as `previously`") }
                if let other = previousOwners[previous] {
                    throw reader.fail(previousNode, "fields `\(other)` and `\(fieldName)` both say `previously: \(previous)`")
                }
                previousOwners[previous] = fieldName
                previously = previous
                previouslyLines[fieldName] = reader.line(previousNode)
            }
            fields.append(FieldSpec(name: fieldName, column: ColumnType(type, nullable: nullable), previously: previously, line: reader.line(item)))
        }
        for field in fields {
            if let previous = field.previously, fields.contains(where: { $0.name == previous }) {
                throw SchemaError(
                    path: path, line: previouslyLines[field.name] ?? field.line,
                    message: "field `\(field.name)` says `previously: \(previous)`, but `\(previous)` is still a field")
            }
        }
        let spec = DatasetSpec(
            name: name, previousName: previousName, version: version, location: location, owner: owner,
            record: record, fields: fields, path: path)
        return DatasetDocument(spec: spec, lines: lines, previouslyLines: previouslyLines)
    }

    /// Checks a new version of a dataset file against the old one: the version may not go down,
    /// and a `previously:` must name a field the old file has (unless the old file already has
    /// the new name: a rename from an earlier change that the file still records).
    public static func check(old: DatasetSpec, new document: DatasetDocument) throws(SchemaError) {
        let new = document.spec
        if new.version < old.version {
            throw SchemaError(
                path: new.path, line: document.lines["version"] ?? 0,
                message: "`version` goes down from \(old.version) to \(new.version)")
        }
        for field in new.fields {
            guard let previous = field.previously, old.field(named: field.name) == nil else { continue }
            if old.field(named: previous) == nil {
                throw SchemaError(
                    path: new.path, line: document.previouslyLines[field.name] ?? field.line,
                    message: "field `\(field.name)` says `previously: \(previous)`, but the previous version of \(old.path.isEmpty ? "the dataset" : old.path) has no field `\(previous)`")
            }
        }
    }

    private static func checkDatasetName(_ name: String, node: Node, reader: YAMLReader) throws(SchemaError) {
        let allowed = name.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" || $0 == "."
        }
        guard allowed else {
            throw reader.fail(node, "dataset name `\(name)` may only hold letters, digits, `_`, `-` and `.`")
        }
    }
}
