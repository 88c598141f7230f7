import SkeinBasics

/// JSON, and JSON Lines / NDJSON (one document per line): a tokenizer that keeps byte offsets,
/// which Foundation's parser does not give.
struct JSONFormat: ConfigFormat {
    /// JSON Lines: any number of documents, each on its own line.
    var lines: Bool

    func parse(_ bytes: [UInt8]) throws(ConfigParseError) -> [ConfigNode] {
        var parser = JSONLocator(bytes: bytes)
        return try parser.documents(several: lines)
    }

    func encode(_ value: String, kind: ScalarKind, replacing old: ConfigScalar, isKey: Bool) -> String? {
        guard kind == .string || isKey else {
            // Numbers, booleans and null are written bare; the re-parse checks they are JSON.
            return kind == .null ? "null" : value
        }
        // `.literal` marks a string that escapes `/`: keep doing so.
        return JSONFormat.quoted(value, escapeSlash: old.style == .literal)
    }

    func entryText(key: String, value: String, kind: ScalarKind, at point: InsertionPoint) -> String? {
        let encodedValue = kind == .string ? JSONFormat.quoted(value) : (kind == .null ? "null" : value)
        return point.prefix + JSONFormat.quoted(key) + ": " + encodedValue + point.suffix
    }

    func isSampleData(_ documents: [ConfigNode]) -> Bool {
        if lines { return true }
        // A file whose root is a list of objects holds rows.
        guard documents.count == 1, let rows = documents[0].sequence, !rows.items.isEmpty else { return false }
        return rows.items.allSatisfy { $0.mapping != nil }
    }

    static func quoted(_ value: String, escapeSlash: Bool = false) -> String {
        let text = doubleQuoted(value) { unicodeEscaped($0) }
        // No escape sequence contains `/`, so this only touches the value's own slashes.
        return escapeSlash ? text.replacingOccurrences(of: "/", with: "\\/") : text
    }

    static func isNumber(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.hasPrefix("-") { rest = rest.dropFirst() }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits == "0" || !digits.hasPrefix("0") else { return false }
        rest = rest.dropFirst(digits.count)
        if rest.hasPrefix(".") {
            rest = rest.dropFirst()
            let fraction = rest.prefix { $0.isASCII && $0.isNumber }
            guard !fraction.isEmpty else { return false }
            rest = rest.dropFirst(fraction.count)
        }
        if rest.hasPrefix("e") || rest.hasPrefix("E") {
            rest = rest.dropFirst()
            if rest.hasPrefix("+") || rest.hasPrefix("-") { rest = rest.dropFirst() }
            let exponent = rest.prefix { $0.isASCII && $0.isNumber }
            guard !exponent.isEmpty else { return false }
            rest = rest.dropFirst(exponent.count)
        }
        return rest.isEmpty
    }
}

/// Walks JSON text, building located nodes.
struct JSONLocator {
    let bytes: [UInt8]
    let lineStarts: [Int]
    var index = 0
    /// Objects and arrays open around the current position; bounded so a hostile file cannot
    /// overflow the stack.
    var depth = 0
    /// Values read so far, all documents together.
    var values = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.lineStarts = Bytes.lineStarts(bytes)
        if Bytes.hasBOM(bytes) { index = 3 }
    }

    mutating func enter() throws(ConfigParseError) {
        depth += 1
        if depth > ConfigLimits.maximumDepth { throw ConfigLimits.depthError(line: line(index)) }
    }

    mutating func documents(several: Bool) throws(ConfigParseError) -> [ConfigNode] {
        var result: [ConfigNode] = []
        skipWhitespace()
        while index < bytes.count {
            if !several && !result.isEmpty { throw error("more than one JSON value") }
            let start = index
            result.append(try value())
            if several {
                // Each row ends its line.
                var probe = index
                while probe < bytes.count, bytes[probe] == Bytes.space || bytes[probe] == Bytes.tab || bytes[probe] == Bytes.carriageReturn { probe += 1 }
                if probe < bytes.count, bytes[probe] != Bytes.newline {
                    throw ConfigParseError(line: line(start), "a JSON Lines row must end its line")
                }
            }
            skipWhitespace()
        }
        if result.isEmpty && !several { throw error("no JSON value") }
        return result
    }

    func line(_ offset: Int) -> Int { Bytes.line(of: offset, in: lineStarts) }

    func error(_ message: String) -> ConfigParseError { ConfigParseError(line: line(index), message) }

    mutating func skipWhitespace() {
        var scanner = JSONScanner(bytes: bytes, index: index)
        scanner.skipWhitespace()
        index = scanner.index
    }

    mutating func value() throws(ConfigParseError) -> ConfigNode {
        values += 1
        if values > ConfigLimits.maximumValues { throw ConfigLimits.valuesError(line: line(index)) }
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of file") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .scalar(try string())
        default: return .scalar(try bare())
        }
    }

    mutating func object() throws(ConfigParseError) -> ConfigNode {
        try enter()
        defer { depth -= 1 }
        let open = index
        index += 1
        var names: Set<String> = []
        var entries: [ConfigEntry] = []
        var ranges: [(key: Int, valueEnd: Int)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try string()
                // RFC 8259 leaves duplicate names' meaning open: readers disagree on which counts.
                guard names.insert(key.value).inserted else {
                    throw ConfigParseError(line: key.line, "duplicate key \(key.value.debugDescription) (RFC 8259: names should be unique)")
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                let member = try value()
                entries.append(ConfigEntry(key: key, value: member))
                ranges.append((key.spans[0].lowerBound, index))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of file in an object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; break }
                throw error("expected ',' or '}'")
            }
        }
        let close = index - 1
        // Deleting a member takes the comma after it (or, for the last one, the comma before it)
        // so the object stays valid and the other members keep their lines.
        for position in entries.indices {
            if position + 1 < entries.count {
                entries[position].deletion = ranges[position].key..<ranges[position + 1].key
            } else if position > 0 {
                entries[position].deletion = ranges[position - 1].valueEnd..<ranges[position].valueEnd
            } else {
                entries[position].deletion = ranges[position].key..<ranges[position].valueEnd
            }
        }
        let insertion: InsertionPoint
        if let last = ranges.last {
            // After the last member: on a new line with its indentation when it has its own line.
            // Looked for backwards, so a line of many objects is not read once per object.
            let lineStart = lineStarts[line(last.key) - 1]
            var blanks = last.key
            while blanks > lineStart, bytes[blanks - 1] == Bytes.space || bytes[blanks - 1] == Bytes.tab { blanks -= 1 }
            let ownLine = blanks == lineStart
            let indent = ownLine ? Bytes.string(bytes[blanks..<last.key]) : ""
            insertion = InsertionPoint(offset: last.valueEnd, prefix: ownLine ? "," + Bytes.lineEnding(bytes) + indent : ", ", suffix: "")
        } else {
            insertion = InsertionPoint(offset: close, prefix: "", suffix: "")
        }
        return .mapping(ConfigMapping(entries: entries, line: line(open), id: open, insertion: insertion))
    }

    mutating func array() throws(ConfigParseError) -> ConfigNode {
        try enter()
        defer { depth -= 1 }
        let open = index
        index += 1
        var items: [ConfigNode] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .sequence(ConfigSequence(items: items, line: line(open)))
        }
        while true {
            items.append(try value())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of file in an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw error("expected ',' or ']'")
        }
        return .sequence(ConfigSequence(items: items, line: line(open)))
    }

    mutating func string() throws(ConfigParseError) -> ConfigScalar {
        let start = index
        var scanner = JSONScanner(bytes: bytes, index: index)
        let scanned: JSONScanner.ScannedString
        do {
            scanned = try scanner.string()
        } catch {
            throw ConfigParseError(line: line(error.offset), error.message)
        }
        index = scanner.index
        return ConfigScalar(value: scanned.value, kind: .string, style: scanned.escapesSlash ? .literal : .doubleQuoted,
                            spans: [start..<index], line: line(start))
    }

    mutating func bare() throws(ConfigParseError) -> ConfigScalar {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), Bytes.space, Bytes.tab, Bytes.newline, Bytes.carriageReturn].contains(byte) { break }
            index += 1
        }
        let text = Bytes.string(bytes[start..<index])
        let kind: ScalarKind
        switch text {
        case "true", "false": kind = .bool
        case "null": kind = .null
        case _ where JSONFormat.isNumber(text): kind = text.contains(where: { ".eE".contains($0) }) ? .float : .integer
        default:
            index = start
            throw error("unexpected \(text.isEmpty ? "character" : "'\(text.prefix(20))'")")
        }
        return ConfigScalar(value: text, kind: kind, style: .plain, spans: [start..<index], line: line(start))
    }
}
