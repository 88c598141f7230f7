import Foundation
import SkeinBasics
import Yams

/// Reads `migrations/<id>.yaml` (SPEC §4): a migration for changes a schema diff cannot
/// express. Every rule and argument is checked before any repo is touched.
public enum ExplicitMigration {
    /// The rules and the arguments each takes; `?` marks an optional one.
    public static let rules: [(name: String, arguments: [String])] = [
        ("renameType", ["from", "to"]),
        ("renameMember", ["type", "from", "to", "kind?"]),
        ("renameModule", ["from", "to"]),
        ("replaceString", ["from", "to"]),
        ("configSet", ["files", "path", "value"]),
        ("configRenameKey", ["files", "path", "to"]),
        ("configDelete", ["files", "path"]),
        ("run", ["command"]),
    ]

    /// A parsed migration file with the lines the registry's checks cite.
    public struct Document: Sendable {
        public var migration: Migration
        public var idLine: Int
        public var datasetsLine: Int
    }

    /// The migration a file describes. `transitions` is empty: the registry fills in the
    /// datasets it names (see `Registry`).
    public static func parse(_ text: String, path: String, schemaCommit: String) throws(SchemaError) -> Migration {
        try document(text, path: path, schemaCommit: schemaCommit).migration
    }

    /// The migration in a file's bytes, refusing text that is not UTF-8.
    public static func document(data: Data, path: String, schemaCommit: String) throws(SchemaError) -> Document {
        try document(YAMLDocument.text(of: data, path: path), path: path, schemaCommit: schemaCommit)
    }

    /// The migration a file describes, with the lines of its `id` and `datasets`.
    public static func document(_ text: String, path: String, schemaCommit: String) throws(SchemaError) -> Document {
        let reader = YAMLReader(path: path)
        guard let root = try YAMLDocument.compose(text, path: path) else {
            throw SchemaError(path: path, line: 0, message: "the migration file is empty")
        }
        try reader.checkKeys(root, "a migration file", allowed: ["id", "description", "datasets", "rules", "rollout"])
        let map = try reader.mapping(root, "a migration file")
        guard let idNode = map["id"] else { throw reader.fail(root, "missing `id`") }
        let id = try reader.nonEmptyString(idNode, "`id`")
        guard isMigrationID(id) else {
            throw reader.fail(idNode, "`id` must be letters, digits, `.`, `_` and `-` (it names the branch skein/<id>), not `\(id)`")
        }
        let description = try map["description"].map { (node) throws(SchemaError) -> String in try reader.string(node, "`description`") }
        guard let datasetsNode = map["datasets"] else { throw reader.fail(root, "missing `datasets` (dataset names, or `all`)") }
        let datasets = try reader.strings(datasetsNode, "`datasets`")
        if datasets.isEmpty { throw reader.fail(datasetsNode, "`datasets` must name at least one dataset, or `all`") }
        guard let rulesNode = map["rules"] else { throw reader.fail(root, "missing `rules`") }
        let items = try reader.sequence(rulesNode, "`rules`")
        if items.isEmpty { throw reader.fail(rulesNode, "`rules` must hold at least one rule") }
        var changes: [Change] = []
        for item in items { changes.append(try rule(item, reader: reader)) }
        var migration = Migration(
            id: id, schemaCommit: schemaCommit, description: description, datasets: datasets, changes: changes,
            transitions: [])
        migration.rollout = try map["rollout"].map { (node) throws(SchemaError) in try RolloutSettings.parse(node, reader: reader) }
        return Document(migration: migration, idLine: reader.line(idNode), datasetsLine: reader.line(datasetsNode))
    }

    /// The migration in a file's bytes, refusing text that is not UTF-8.
    public static func parse(data: Data, path: String, schemaCommit: String) throws(SchemaError) -> Migration {
        try parse(YAMLDocument.text(of: data, path: path), path: path, schemaCommit: schemaCommit)
    }

    /// A Swift type name, possibly nested: `PlaysClient`, `Node.Scalar`.
    public static func isTypeName(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { isIdentifier(String($0)) }
    }

    /// A Swift identifier (backquoted names allowed).
    public static func isIdentifier(_ text: String) -> Bool {
        var name = Substring(text)
        if name.count > 2, name.hasPrefix("`"), name.hasSuffix("`") { name = name.dropFirst().dropLast() }
        guard let first = name.unicodeScalars.first else { return false }
        let head = CharacterSet.letters.union(CharacterSet(charactersIn: "_"))
        let tail = head.union(.decimalDigits)
        return head.contains(first) && name.unicodeScalars.dropFirst().allSatisfy { tail.contains($0) }
    }

    static func isMigrationID(_ text: String) -> Bool {
        guard !text.hasPrefix("."), !text.hasPrefix("-"), !text.hasSuffix("."), !text.contains(".."),
              !text.hasSuffix(".lock")
        else { return false }
        return text.unicodeScalars.allSatisfy {
            ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "." || $0 == "_" || $0 == "-"
        }
    }

    private static func rule(_ item: Node, reader: YAMLReader) throws(SchemaError) -> Change {
        let known = rules.map(\.name).joined(separator: ", ")
        let pairs = try reader.pairs(item, "a rule (`- ruleName: { arguments }`)")
        guard pairs.count == 1, let pair = pairs.first else {
            throw reader.fail(item, "a rule must be a mapping of exactly one rule name to its arguments (one of \(known))")
        }
        guard let spec = rules.first(where: { $0.name == pair.key }) else {
            throw reader.fail(pair.keyNode, "unknown rule `\(pair.key)` (expected one of \(known))")
        }
        let ruleName = spec.name
        let allowed = spec.arguments.map { $0.hasSuffix("?") ? String($0.dropLast()) : $0 }
        let args = try reader.pairs(pair.value, "the arguments of `\(ruleName)`")
        for arg in args where !allowed.contains(arg.key) {
            throw reader.fail(arg.keyNode, "unknown argument `\(arg.key)` for `\(ruleName)` (expected \(allowed.joined(separator: ", ")))")
        }
        var values: [String: Node] = [:]
        for arg in args { values[arg.key] = arg.value }
        for argument in spec.arguments where !argument.hasSuffix("?") && values[argument] == nil {
            throw reader.fail(pair.value, "`\(ruleName)` needs `\(argument)`")
        }
        func text(_ key: String) throws(SchemaError) -> String {
            try reader.nonEmptyString(values[key]!, "`\(key)` of `\(ruleName)`")
        }
        func typeName(_ key: String) throws(SchemaError) -> String {
            let name = try text(key)
            guard isTypeName(name) else {
                throw reader.fail(values[key], "`\(key)` of `\(ruleName)` must be a Swift type name (`Name` or `Outer.Name`), not `\(name)`")
            }
            return name
        }
        func identifier(_ key: String) throws(SchemaError) -> String {
            let name = try text(key)
            guard isIdentifier(name) else {
                throw reader.fail(values[key], "`\(key)` of `\(ruleName)` must be a Swift identifier, not `\(name)`")
            }
            return name
        }
        /// `a.b."c.d"`, or a list of keys: the path in its one spelling (`ConfigPath`).
        func keyPath(_ key: String) throws(SchemaError) -> String {
            let node = values[key]!
            if let items = node.sequence {
                var keys: [String] = []
                for item in items {
                    guard let scalar = item.scalar else {
                        throw reader.fail(item, "each key of `\(key)` of `\(ruleName)` must be a single value, not a list or mapping")
                    }
                    keys.append(scalar.string)
                }
                guard !keys.isEmpty else { throw reader.fail(node, "`\(key)` of `\(ruleName)` must name at least one key") }
                return ConfigPath.path(keys)
            }
            let path = try text(key)
            guard ConfigPath.keys(path) != nil else {
                throw reader.fail(node, "`\(key)` of `\(ruleName)` must be keys separated by dots like `a.b.c` (quote a key holding a dot: `a.\"b.c\"`), not `\(path)`")
            }
            return path
        }
        switch ruleName {
        case "renameType":
            let from = try typeName("from"), to = try typeName("to")
            return .renameType(from: from, to: to)
        case "renameMember":
            let type = try typeName("type"), from = try identifier("from"), to = try identifier("to")
            var kind: MemberKind?
            if let kindNode = values["kind"] {
                let raw = try reader.string(kindNode, "`kind` of `renameMember`")
                guard let parsed = MemberKind(rawValue: raw) else {
                    throw reader.fail(kindNode, "`kind` of `renameMember` must be case, property or method, not `\(raw)`")
                }
                kind = parsed
            }
            return .renameMember(type: type, from: from, to: to, kind: kind)
        case "renameModule":
            let from = try identifier("from"), to = try identifier("to")
            return .renameModule(from: from, to: to)
        case "replaceString":
            let from = try text("from")
            let to = try reader.string(values["to"]!, "`to` of `replaceString`")
            return .replaceString(from: from, to: to)
        case "configSet":
            let files = try text("files"), path = try keyPath("path")
            return .configSet(files: files, path: path, value: try configValue(values["value"]!, reader: reader))
        case "configRenameKey":
            let files = try text("files"), path = try keyPath("path"), to = try text("to")
            if to.contains(".") {
                throw reader.fail(values["to"], "`to` of `configRenameKey` is the new name of the last key, without dots")
            }
            return .configRenameKey(files: files, path: path, to: to)
        case "configDelete":
            let files = try text("files"), path = try keyPath("path")
            return .configDelete(files: files, path: path)
        default:
            return .run(command: try text("command"))
        }
    }

    private static func configValue(_ node: Node, reader: YAMLReader) throws(SchemaError) -> ConfigValue {
        guard let scalar = node.scalar else {
            throw reader.fail(node, "`value` of `configSet` must be a single value (string, number, true/false or null)")
        }
        switch YAMLReader.tag(node) {
        case .int: if let value = node.int { return .integer(value) }
        case .float: if let value = node.float { return .double(value) }
        case .bool: if let value = node.bool { return .bool(value) }
        case .null: return .null
        default: break
        }
        return .string(scalar.string)
    }
}
