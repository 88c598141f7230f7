import SkeinBasics

/// TOML, through a locator of its own (TOMLKit keeps no positions and rewrites the document when
/// it serializes): bare, quoted and dotted keys, `[tables]` and `[[arrays of tables]]` defined in
/// pieces, inline tables and arrays over several lines. A key spelled in several places (two
/// headers naming one table) carries every span, so a rename edits them all. Multi-line strings
/// are located but refused.
struct TOMLFormat: ConfigFormat {
    func parse(_ bytes: [UInt8]) throws(ConfigParseError) -> [ConfigNode] {
        var locator = TOMLLocator(bytes: bytes)
        return [try locator.document()]
    }

    func encode(_ value: String, kind: ScalarKind, replacing old: ConfigScalar, isKey: Bool) -> String? {
        if isKey {
            let bare = !value.isEmpty && value.unicodeScalars.allSatisfy(TOMLLocator.isBareKey)
            if bare && old.style == .plain { return value }
            if old.style == .singleQuoted, !value.contains("'"), !value.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                return "'" + value + "'"
            }
            return TOMLFormat.basic(value)
        }
        guard kind == .string else { return kind == .null ? nil : value }
        if old.style == .singleQuoted, !value.contains("'"), !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "'" + value + "'"
        }
        return TOMLFormat.basic(value)
    }

    func entryText(key: String, value: String, kind: ScalarKind, at point: InsertionPoint) -> String? {
        entryText(key: key, value: value, kind: kind, at: point, separator: " = ")
    }

    static func basic(_ value: String) -> String {
        doubleQuoted(value) { unicodeEscaped($0, uppercase: true) }
    }
}

/// A TOML table while it is read: tables are defined in pieces, so they are shared objects.
private final class TOMLTable {
    enum Item {
        case value(ConfigNode)
        case table(TOMLTable)
        case tables([TOMLTable])
    }
    var order: [String] = []
    var items: [String: Item] = [:]
    var keys: [String: ConfigScalar] = [:]
    var deletions: [String: Range<Int>] = [:]
    let id: Int
    let line: Int
    /// Where a new `key = value` line of this table goes: after its last own line.
    var insertAfter: Int
    /// Defined by a header or a dotted key (false for an inline table, which cannot grow lines).
    var open = true

    init(id: Int, line: Int, insertAfter: Int) {
        self.id = id
        self.line = line
        self.insertAfter = insertAfter
    }

    func note(_ key: ConfigScalar) {
        if keys[key.value] != nil {
            // In place: a key named by thousands of headers must not copy its spans each time.
            keys[key.value]!.spans += key.spans
        } else {
            keys[key.value] = key
            order.append(key.value)
        }
    }

    func node(_ bytes: [UInt8]) -> ConfigNode {
        var entries: [ConfigEntry] = []
        for name in order {
            guard let key = keys[name], let item = items[name] else { continue }
            let value: ConfigNode
            switch item {
            case .value(let node): value = node
            case .table(let table): value = table.node(bytes)
            case .tables(let tables): value = .sequence(ConfigSequence(items: tables.map { $0.node(bytes) }, line: key.line))
            }
            let deletion = deletions[name]
            entries.append(ConfigEntry(key: key, value: value, deletion: deletion,
                                       deletionRefusal: deletion == nil ? "not a single `key = value` line" : nil))
        }
        var insertion: InsertionPoint?
        if open {
            let ending = Bytes.lineEnding(bytes)
            let openLine = insertAfter == bytes.count && bytes.last != Bytes.newline && !bytes.isEmpty
            insertion = InsertionPoint(offset: insertAfter, prefix: openLine ? ending : "", suffix: openLine ? "" : ending)
        }
        return .mapping(ConfigMapping(entries: entries, line: line, id: id, insertion: insertion))
    }
}

/// Reads a TOML document into located nodes.
struct TOMLLocator {
    let bytes: [UInt8]
    let lineStarts: [Int]
    var index = 0
    /// Arrays and inline tables open around the current position (key paths are bounded on
    /// their own), so a hostile file cannot overflow the stack.
    var depth = 0
    /// Values read so far.
    var values = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.lineStarts = Bytes.lineStarts(bytes)
        if Bytes.hasBOM(bytes) { index = 3 }
    }

    static func isBareKey(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
    }

    func line(_ offset: Int) -> Int { Bytes.line(of: offset, in: lineStarts) }
    func error(_ message: String) -> ConfigParseError { ConfigParseError(line: line(min(index, bytes.count)), message) }
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipBlanks() {
        while let byte = current, byte == Bytes.space || byte == Bytes.tab { index += 1 }
    }

    /// Skips blanks, comments and line ends.
    mutating func skipTrivia() {
        while let byte = current {
            if byte == Bytes.space || byte == Bytes.tab || byte == Bytes.newline || byte == Bytes.carriageReturn {
                index += 1
            } else if byte == UInt8(ascii: "#") {
                while let next = current, next != Bytes.newline { index += 1 }
            } else {
                return
            }
        }
    }

    /// After a value or header: blanks, an optional comment, then the line's end.
    mutating func endOfLine() throws(ConfigParseError) -> Int {
        skipBlanks()
        if current == UInt8(ascii: "#") { while let next = current, next != Bytes.newline { index += 1 } }
        if current == Bytes.carriageReturn { index += 1 }
        guard current == nil || current == Bytes.newline else { throw error("expected the end of the line") }
        if current == Bytes.newline { index += 1 }
        return index
    }

    /// TOML allows no control character but tab and line ends, in strings and comments alike.
    func checkControlCharacters() throws(ConfigParseError) {
        for (offset, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x7F {
            if byte == Bytes.tab || byte == Bytes.newline { continue }
            if byte == Bytes.carriageReturn, offset + 1 < bytes.count, bytes[offset + 1] == Bytes.newline { continue }
            throw ConfigParseError(line: line(offset), "control character 0x\(String(byte, radix: 16, uppercase: true)) (TOML allows only tab and line ends)")
        }
    }

    mutating func document() throws(ConfigParseError) -> ConfigNode {
        try checkControlCharacters()
        let root = TOMLTable(id: -1, line: 1, insertAfter: index)
        var table = root
        var tableDepth = 0
        var rootHasKeys = false
        while true {
            skipTrivia()
            guard let byte = current else { break }
            if byte == UInt8(ascii: "[") {
                let headerStart = index
                let isArray = index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "[")
                index += isArray ? 2 : 1
                skipBlanks()
                let path = try keyPath()
                skipBlanks()
                for _ in 0..<(isArray ? 2 : 1) {
                    guard current == UInt8(ascii: "]") else { throw error("expected ']'") }
                    index += 1
                }
                let end = try endOfLine()
                table = try open(path, in: root, arrayItem: isArray, headerStart: headerStart, after: end)
                // Each header key may be an array of tables: a sequence level and a table level.
                tableDepth = 2 * path.count
                continue
            }
            let lineStart = lineStarts[line(index) - 1]
            let startsLine = bytes[lineStart..<index].allSatisfy { $0 == Bytes.space || $0 == Bytes.tab || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
            let path = try keyPath()
            skipBlanks()
            guard current == UInt8(ascii: "=") else { throw error("expected '='") }
            index += 1
            skipBlanks()
            let valueStartLine = line(index)
            // The value sits as deep as its table, its dotted key and its own brackets together.
            depth = tableDepth + path.count
            if depth > ConfigLimits.maximumDepth { throw ConfigLimits.depthError(line: valueStartLine) }
            let value = try value()
            depth = 0
            let valueEndLine = line(max(index - 1, 0))
            let end = try endOfLine()
            let owner = try dotted(path.dropLast(), in: table)
            let key = path.last!
            guard owner.items[key.value] == nil else { throw ConfigParseError(line: key.line, "key '\(key.value)' defined twice") }
            owner.note(key)
            owner.items[key.value] = .value(value)
            // A dotted key's line goes too; the re-parse refuses it if that empties a table.
            if startsLine, valueStartLine == valueEndLine { owner.deletions[key.value] = lineStart..<end }
            table.insertAfter = end
            if table === root { rootHasKeys = true }
        }
        if !rootHasKeys { root.insertAfter = Bytes.hasBOM(bytes) ? 3 : 0 }
        return root.node(bytes)
    }

    /// Opens the table a header names, creating what is missing.
    private func open(_ path: [ConfigScalar], in root: TOMLTable, arrayItem: Bool, headerStart: Int, after end: Int) throws(ConfigParseError) -> TOMLTable {
        var table = root
        for (position, key) in path.enumerated() {
            let last = position == path.count - 1
            table.note(key)
            switch table.items[key.value] {
            case nil:
                if last && arrayItem {
                    let item = TOMLTable(id: headerStart, line: key.line, insertAfter: end)
                    table.items[key.value] = .tables([item])
                    return item
                }
                let child = TOMLTable(id: last ? headerStart : key.spans[0].lowerBound, line: key.line, insertAfter: end)
                table.items[key.value] = .table(child)
                table = child
            case .table(let child):
                if last && arrayItem { throw ConfigParseError(line: key.line, "'\(key.value)' is a table, not an array of tables") }
                if last { child.insertAfter = end }
                table = child
            case .tables(var items):
                if last && arrayItem {
                    let item = TOMLTable(id: headerStart, line: key.line, insertAfter: end)
                    table.items[key.value] = nil  // so the append does not copy every item before it
                    items.append(item)
                    table.items[key.value] = .tables(items)
                    return item
                }
                table = items[items.count - 1]
            case .value:
                throw ConfigParseError(line: key.line, "'\(key.value)' is a value, not a table")
            }
        }
        return table
    }

    /// The table a dotted key's leading components name, creating what is missing.
    private func dotted(_ path: ArraySlice<ConfigScalar>, in start: TOMLTable) throws(ConfigParseError) -> TOMLTable {
        var table = start
        for key in path {
            table.note(key)
            switch table.items[key.value] {
            case nil:
                let child = TOMLTable(id: key.spans[0].lowerBound, line: key.line, insertAfter: 0)
                child.open = false
                table.items[key.value] = .table(child)
                table = child
            case .table(let child):
                table = child
            default:
                throw ConfigParseError(line: key.line, "'\(key.value)' is not a table")
            }
        }
        return table
    }

    /// `a.b."c d"`: each component with its span.
    mutating func keyPath() throws(ConfigParseError) -> [ConfigScalar] {
        var path: [ConfigScalar] = []
        while true {
            skipBlanks()
            // Each key counts as a value: headers alone can name hundreds of thousands of tables.
            values += 1
            if values > ConfigLimits.maximumValues { throw ConfigLimits.valuesError(line: line(index)) }
            path.append(try key())
            if path.count > ConfigLimits.maximumDepth { throw ConfigLimits.depthError(line: line(index)) }
            skipBlanks()
            guard current == UInt8(ascii: ".") else { return path }
            index += 1
        }
    }

    mutating func key() throws(ConfigParseError) -> ConfigScalar {
        let start = index
        guard let byte = current else { throw error("expected a key") }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            var scalar = try string()
            guard scalar.refusal == nil else { throw error("a key cannot be a multi-line string") }
            scalar.kind = .string
            return scalar
        }
        while let next = current, next < 0x80, TOMLLocator.isBareKey(Unicode.Scalar(next)) { index += 1 }
        guard index > start else { throw error("expected a key") }
        return ConfigScalar(value: Bytes.string(bytes[start..<index]), kind: .string, style: .plain, spans: [start..<index], line: line(start))
    }

    mutating func value() throws(ConfigParseError) -> ConfigNode {
        values += 1
        if values > ConfigLimits.maximumValues { throw ConfigLimits.valuesError(line: line(index)) }
        guard let byte = current else { throw error("expected a value") }
        if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
            depth += 1
            if depth > ConfigLimits.maximumDepth { throw ConfigLimits.depthError(line: line(index)) }
        }
        defer { if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth -= 1 } }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .scalar(try string())
        case UInt8(ascii: "["):
            let start = index
            index += 1
            var items: [ConfigNode] = []
            while true {
                skipTrivia()
                if current == UInt8(ascii: "]") { index += 1; break }
                items.append(try value())
                skipTrivia()
                if current == UInt8(ascii: ",") { index += 1; continue }
                guard current == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
                index += 1
                break
            }
            return .sequence(ConfigSequence(items: items, line: line(start)))
        case UInt8(ascii: "{"):
            let start = index
            index += 1
            let table = TOMLTable(id: start, line: line(start), insertAfter: 0)
            table.open = false
            skipBlanks()
            if current == UInt8(ascii: "}") {
                index += 1
                return table.node(bytes)
            }
            while true {
                skipBlanks()
                let path = try keyPath()
                skipBlanks()
                guard current == UInt8(ascii: "=") else { throw error("expected '='") }
                index += 1
                skipBlanks()
                depth += path.count - 1
                if depth > ConfigLimits.maximumDepth { throw ConfigLimits.depthError(line: line(index)) }
                let member = try value()
                depth -= path.count - 1
                let owner = try dotted(path.dropLast(), in: table)
                guard owner.items[path.last!.value] == nil else {
                    throw ConfigParseError(line: path.last!.line, "key '\(path.last!.value)' defined twice")
                }
                owner.note(path.last!)
                owner.items[path.last!.value] = .value(member)
                skipBlanks()
                if current == UInt8(ascii: ",") { index += 1; continue }
                guard current == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
                index += 1
                break
            }
            return table.node(bytes)
        default:
            let start = index
            while let next = current, ![Bytes.space, Bytes.tab, Bytes.newline, Bytes.carriageReturn,
                                        UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "#")].contains(next) {
                index += 1
            }
            // A date and time may hold one space: `1979-05-27 07:32:00`.
            if index + 1 < bytes.count, bytes[index] == Bytes.space, index - start == 10, bytes[index + 1] >= UInt8(ascii: "0"), bytes[index + 1] <= UInt8(ascii: "9") {
                index += 1
                while let next = current, ![Bytes.space, Bytes.tab, Bytes.newline, Bytes.carriageReturn, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}")].contains(next) { index += 1 }
            }
            let text = Bytes.string(bytes[start..<index])
            guard !text.isEmpty else { throw error("expected a value") }
            guard let kind = TOMLValues.kind(of: text) else {
                throw ConfigParseError(line: line(start), "invalid value '\(text.prefix(40))'")
            }
            return .scalar(ConfigScalar(value: text, kind: kind, style: .plain, spans: [start..<index], line: line(start)))
        }
    }

    /// A basic or literal string, single- or multi-line.
    mutating func string() throws(ConfigParseError) -> ConfigScalar {
        let start = index
        let quote = bytes[index]
        let literal = quote == UInt8(ascii: "'")
        let triple = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
        if triple {
            index += 3
            while index + 2 < bytes.count, !(bytes[index] == quote && bytes[index + 1] == quote && bytes[index + 2] == quote) {
                if !literal && bytes[index] == UInt8(ascii: "\\") {
                    // A backslash ending a line (blanks may follow it) joins the lines.
                    var blank = index + 1
                    while blank < bytes.count, bytes[blank] == Bytes.space || bytes[blank] == Bytes.tab { blank += 1 }
                    if blank < bytes.count, bytes[blank] == Bytes.newline || bytes[blank] == Bytes.carriageReturn {
                        index = blank
                        continue
                    }
                    _ = try escape()
                    continue
                }
                index += 1
            }
            guard index + 2 < bytes.count else { throw ConfigParseError(line: line(start), "unterminated multi-line string") }
            index += 3
            // Up to two quotes may end the content (`""""` is a quote, then the delimiter).
            var extra = 0
            while current == quote, extra < 2 { index += 1; extra += 1 }
            let raw = Bytes.string(bytes[start..<index])
            return ConfigScalar(value: raw, kind: .string, style: literal ? .singleQuoted : .doubleQuoted, spans: [],
                                refusal: "a multi-line string", line: line(start), id: start)
        }
        index += 1
        var value = String.UnicodeScalarView()
        var segment = index
        while true {
            guard let byte = current, byte != Bytes.newline else { throw ConfigParseError(line: line(start), "unterminated string") }
            if byte == quote {
                value.append(contentsOf: Bytes.string(bytes[segment..<index]).unicodeScalars)
                index += 1
                break
            }
            if !literal && byte == UInt8(ascii: "\\") {
                value.append(contentsOf: Bytes.string(bytes[segment..<index]).unicodeScalars)
                value.append(try escape())
                segment = index
                continue
            }
            index += 1
        }
        return ConfigScalar(value: String(value), kind: .string, style: literal ? .singleQuoted : .doubleQuoted,
                            spans: [start..<index], line: line(start))
    }

    /// One escape of a basic string, at its backslash: TOML 1.0's set only.
    mutating func escape() throws(ConfigParseError) -> Unicode.Scalar {
        guard index + 1 < bytes.count else { throw error("unterminated escape") }
        let escape = bytes[index + 1]
        index += 2
        switch escape {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = escape == UInt8(ascii: "u") ? 4 : 8
            guard index + digits <= bytes.count, let code = Bytes.hex(bytes[index..<(index + digits)]),
                  let scalar = Unicode.Scalar(code) else { throw error("invalid unicode escape") }
            index += digits
            return scalar
        default: throw error("invalid escape")
        }
    }
}
