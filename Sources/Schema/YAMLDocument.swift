import Foundation
import SkeinBasics
import Yams

/// Reading YAML for validation: every node keeps its line, and every failure becomes a
/// `SchemaError` naming the file and line.
enum YAMLDocument {
    /// The text of a file, refusing bytes that are not UTF-8 (naming the line of the first bad
    /// byte).
    static func text(of data: Data, path: String) throws(SchemaError) -> String {
        if let text = String(validating: data, as: UTF8.self) { return text }
        var line = 1
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let bytes):
                if bytes.count == 1, bytes.first == UInt8(ascii: "\n") { line += 1 }
            case .emptyInput, .error:
                break loop
            }
        }
        throw SchemaError(path: path, line: line, message: "the file is not valid UTF-8 text")
    }

    /// The first document of `text`; nil for an empty file.
    static func compose(_ text: String, path: String) throws(SchemaError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch {
            throw schemaError(error, text: text, path: path)
        }
    }

    /// Every document of `text` (a Backstage descriptor may hold several).
    static func composeAll(_ text: String, path: String) throws(SchemaError) -> [Node] {
        do {
            var documents = try Yams.compose_all(yaml: text)
            var nodes: [Node] = []
            while let node = documents.next() { nodes.append(node) }
            if let error = documents.error { throw error }
            return nodes
        } catch let error as SchemaError {
            throw error
        } catch {
            throw schemaError(error, text: text, path: path)
        }
    }

    /// The line of the second `key:` at the indentation of the first one at or after
    /// `line`: where a person would delete the repeat.
    static func repeatedKeyLine(_ key: String, in text: String, after line: Int) -> Int? {
        var indentation: Int?
        for (index, content) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index + 1 >= line {
            let trimmed = content.drop { $0 == " " }
            guard trimmed.hasPrefix(key + ":") || trimmed.hasPrefix("\"\(key)\":") || trimmed.hasPrefix("'\(key)':") else { continue }
            let column = content.count - trimmed.count
            if let indentation {
                if indentation == column { return index + 1 }
            } else {
                indentation = column
            }
        }
        return nil
    }

    static func schemaError(_ error: any Error, text: String, path: String) -> SchemaError {
        guard let yaml = error as? YamlError else {
            return SchemaError(path: path, line: 0, message: "cannot read YAML: \(error)")
        }
        switch yaml {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { "\($0.text) (line \($0.mark.line)): " } ?? ""
            return SchemaError(path: path, line: mark.line, message: "YAML syntax error: \(detail)\(problem)")
        case let .reader(problem, offset, _, _):
            var line = 0
            if let offset {
                line = 1 + text.utf8.prefix(offset).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            }
            return SchemaError(path: path, line: line, message: "cannot read YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let names = duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")
            let line = duplicates.sorted().first.flatMap { repeatedKeyLine($0, in: text, after: context.mark.line) }
            return SchemaError(path: path, line: line ?? context.mark.line, message: "duplicate key \(names) in a mapping")
        default:
            return SchemaError(path: path, line: 0, message: "cannot read YAML: \(yaml)")
        }
    }
}

/// Typed access to YAML nodes with errors that name the line.
struct YAMLReader {
    let path: String

    /// The resolved tag of a node (`str`, `int`, ...).
    static func tag(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    func line(_ node: Node?) -> Int { node?.mark?.line ?? 0 }

    func fail(_ node: Node?, _ message: String) -> SchemaError {
        SchemaError(path: path, line: line(node), message: message)
    }

    func mapping(_ node: Node, _ what: String) throws(SchemaError) -> Node.Mapping {
        guard let mapping = node.mapping else { throw fail(node, "\(what) must be a mapping") }
        return mapping
    }

    /// The pairs of a mapping with string keys, in order.
    func pairs(_ node: Node, _ what: String) throws(SchemaError) -> [(key: String, keyNode: Node, value: Node)] {
        let mapping = try self.mapping(node, what)
        var result: [(key: String, keyNode: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw fail(key, "keys of \(what) must be plain names") }
            result.append((name, key, value))
        }
        return result
    }

    /// Rejects keys outside `allowed`, naming the line of the first unknown one.
    func checkKeys(_ node: Node, _ what: String, allowed: [String]) throws(SchemaError) {
        for pair in try pairs(node, what) where !allowed.contains(pair.key) {
            throw fail(pair.keyNode, "unknown key `\(pair.key)` in \(what) (expected \(allowed.joined(separator: ", ")))")
        }
    }

    func string(_ node: Node, _ what: String) throws(SchemaError) -> String {
        guard let scalar = node.scalar, YAMLReader.tag(node) == .str else {
            throw fail(node, "\(what) must be a string")
        }
        return scalar.string
    }

    func nonEmptyString(_ node: Node, _ what: String) throws(SchemaError) -> String {
        let text = try string(node, what)
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail(node, "\(what) must not be empty") }
        return text
    }

    func int(_ node: Node, _ what: String) throws(SchemaError) -> Int {
        guard node.scalar != nil, YAMLReader.tag(node) == .int, let value = node.int else {
            throw fail(node, "\(what) must be an integer")
        }
        return value
    }

    func number(_ node: Node, _ what: String) throws(SchemaError) -> Double {
        guard node.scalar != nil, YAMLReader.tag(node) == .int || YAMLReader.tag(node) == .float, let value = node.float else {
            throw fail(node, "\(what) must be a number")
        }
        return value
    }

    func bool(_ node: Node, _ what: String) throws(SchemaError) -> Bool {
        guard node.scalar != nil, YAMLReader.tag(node) == .bool, let value = node.bool else {
            throw fail(node, "\(what) must be true or false")
        }
        return value
    }

    func sequence(_ node: Node, _ what: String) throws(SchemaError) -> [Node] {
        guard let sequence = node.sequence else { throw fail(node, "\(what) must be a list") }
        return Array(sequence)
    }

    /// A list of strings, or a single string standing for a list of one.
    func strings(_ node: Node, _ what: String) throws(SchemaError) -> [String] {
        if node.scalar != nil { return [try nonEmptyString(node, what)] }
        var result: [String] = []
        for item in try sequence(node, what) { result.append(try nonEmptyString(item, "each entry of \(what)")) }
        return result
    }
}
