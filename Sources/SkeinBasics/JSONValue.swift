import Foundation

/// A JSON value with ordered object keys, for output whose shape the contract fixes.
public enum JSONValue: Hashable, Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    public init(_ value: ConfigValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .integer(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .bool(let flag): self = .bool(flag)
        case .null: self = .null
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }
    public func hash(into hasher: inout Hasher) { hasher.combine(serialized()) }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.last { $0.0 == key }?.1
    }

    public var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .double(let value) where value == value.rounded(): Int(value)
        default: nil
        }
    }
    public var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }

    /// Compact JSON. With `sortKeys`, object keys are sorted (ledger lines); otherwise they keep
    /// their order (command output).
    public func serialized(sortKeys: Bool = false, pretty: Bool = false, indent: String = "") -> String {
        var out = ""
        write(to: &out, sortKeys: sortKeys, pretty: pretty, indent: indent)
        return out
    }

    private func write(to out: inout String, sortKeys: Bool, pretty: Bool, indent: String) {
        switch self {
        case .string(let text): JSONValue.quote(text, into: &out)
        case .int(let value): out += String(value)
        case .double(let value):
            if value.isFinite, value == value.rounded(), abs(value) < 1e15 { out += String(Int(value)) } else { out += String(value) }
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            let inner = indent + "  "
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                if pretty { out += "\n" + inner }
                item.write(to: &out, sortKeys: sortKeys, pretty: pretty, indent: inner)
            }
            if pretty { out += "\n" + indent }
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            let inner = indent + "  "
            let ordered = sortKeys ? pairs.sorted { $0.0 < $1.0 } : pairs
            for (index, (key, value)) in ordered.enumerated() {
                if index > 0 { out += "," }
                if pretty { out += "\n" + inner }
                JSONValue.quote(key, into: &out)
                out += pretty ? ": " : ":"
                value.write(to: &out, sortKeys: sortKeys, pretty: pretty, indent: inner)
            }
            if pretty { out += "\n" + indent }
            out += "}"
        }
    }

    static func quote(_ text: String, into out: inout String) {
        out += "\""
        appendDoubleQuoted(text, to: &out, control: { unicodeEscaped($0) })
        out += "\""
    }

    /// Parses JSON text (objects keep their key order).
    public static func parse(_ text: String) throws -> JSONValue {
        var reader = JSONReader(bytes: Array(text.utf8))
        reader.skipSpace()
        let value = try reader.value()
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw reader.failure("trailing characters") }
        return value
    }
}

/// The error of `JSONValue.parse`, with the byte offset where the text stops being JSON.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

/// Builds values from the shared `JSONScanner`; nesting is bounded, since ledger lines can come
/// from another machine.
private struct JSONReader {
    static let maximumDepth = 64

    var scanner: JSONScanner
    var depth = 0

    init(bytes: [UInt8]) { scanner = JSONScanner(bytes: bytes) }

    var index: Int { scanner.index }
    var bytes: [UInt8] { scanner.bytes }

    func failure(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: scanner.index, message: message) }

    mutating func skipSpace() { scanner.skipWhitespace() }

    mutating func value() throws(JSONSyntaxError) -> JSONValue {
        guard let byte = scanner.current else { throw failure("unexpected end") }
        switch byte {
        case UInt8(ascii: "{"):
            try enter()
            defer { depth -= 1 }
            scanner.index += 1
            var pairs: [(String, JSONValue)] = []
            skipSpace()
            if scanner.current == UInt8(ascii: "}") { scanner.index += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard scanner.current == UInt8(ascii: "\"") else { throw failure("expected a key") }
                let key = try string()
                skipSpace()
                guard scanner.current == UInt8(ascii: ":") else { throw failure("expected ':'") }
                scanner.index += 1
                skipSpace()
                pairs.append((key, try value()))
                skipSpace()
                switch scanner.current {
                case UInt8(ascii: ","): scanner.index += 1
                case UInt8(ascii: "}"): scanner.index += 1; return .object(pairs)
                case nil: throw failure("unexpected end")
                default: throw failure("expected ',' or '}'")
                }
            }
        case UInt8(ascii: "["):
            try enter()
            defer { depth -= 1 }
            scanner.index += 1
            var items: [JSONValue] = []
            skipSpace()
            if scanner.current == UInt8(ascii: "]") { scanner.index += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                switch scanner.current {
                case UInt8(ascii: ","): scanner.index += 1
                case UInt8(ascii: "]"): scanner.index += 1; return .array(items)
                case nil: throw failure("unexpected end")
                default: throw failure("expected ',' or ']'")
                }
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            guard scanner.literal("true") else { throw failure("expected true") }
            return .bool(true)
        case UInt8(ascii: "f"):
            guard scanner.literal("false") else { throw failure("expected false") }
            return .bool(false)
        case UInt8(ascii: "n"):
            guard scanner.literal("null") else { throw failure("expected null") }
            return .null
        default: return try number()
        }
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maximumDepth { throw failure("nested deeper than \(Self.maximumDepth) levels") }
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        do {
            return try scanner.string().value
        } catch {
            throw JSONSyntaxError(offset: error.offset, message: error.message)
        }
    }

    mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = scanner.index
        var isInteger = true
        while let c = scanner.current,
              (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            if !(c >= 0x30 && c <= 0x39) && c != UInt8(ascii: "-") { isInteger = false }
            scanner.index += 1
        }
        let text = String(decoding: bytes[start..<scanner.index], as: UTF8.self)
        if isInteger, let value = Int(text) { return .int(value) }
        guard !text.isEmpty, let value = Double(text) else {
            scanner.index = start
            throw failure("unexpected character")
        }
        return .double(value)
    }
}
