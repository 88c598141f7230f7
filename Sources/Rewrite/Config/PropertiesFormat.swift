/// Java `.properties`: `key=value`, `key: value` or `key value` lines, `#`/`!` comments. Dotted
/// keys read as nested mappings (`report.source` is `source` under `report`) so rules address
/// them like YAML paths; a file where a key is both a value and a prefix stays flat. Lines
/// continued with a trailing `\` are located but refused.
struct PropertiesFormat: ConfigFormat {
    func parse(_ bytes: [UInt8]) throws(ConfigParseError) -> [ConfigNode] {
        let lines = LineEntries.properties(bytes)
        if lines.count > ConfigLimits.maximumValues { throw ConfigLimits.valuesError(line: lines[ConfigLimits.maximumValues].line) }
        return [LineEntries.tree(lines, bytes: bytes, nested: true)]
    }

    func encode(_ value: String, kind: ScalarKind, replacing old: ConfigScalar, isKey: Bool) -> String? {
        // A key is read as dotted components; a new name must stay one plain component, unless
        // the key is a whole dotted path (`.literal`: a file read flat).
        if isKey, value.isEmpty || value.unicodeScalars.contains(where: { "=:#! \t\\\n\r".unicodeScalars.contains($0) || $0.value < 0x20 }) {
            return nil
        }
        if isKey, old.style != .literal, value.contains(".") { return nil }
        var text = ""
        for (index, scalar) in value.unicodeScalars.enumerated() {
            switch scalar {
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case " " where isKey || index == 0: text += "\\ "
            case "=" where isKey, ":" where isKey, "#" where isKey, "!" where isKey: text += "\\" + String(scalar)
            default:
                if scalar.value < 0x20 { return nil }
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    func entryText(key: String, value: String, kind: ScalarKind, at point: InsertionPoint) -> String? {
        // The re-parse decides whether a key with dots lands where it was meant to.
        let probe = ConfigScalar(value: "", kind: .string, style: .literal, spans: [], line: 0)
        guard let keyText = encode(key, kind: .string, replacing: probe, isKey: true),
              let valueText = encode(value, kind: .string, replacing: probe, isKey: false) else { return nil }
        return point.prefix + keyText + "=" + valueText + point.suffix
    }

    var holdsOnlyText: Bool { true }
}

/// `.env` files: `KEY=value`, optionally `export KEY=value`, values bare, `'single'` or
/// `"double"` quoted, `#` comments. Keys stay flat.
struct EnvFormat: ConfigFormat {
    func parse(_ bytes: [UInt8]) throws(ConfigParseError) -> [ConfigNode] {
        let lines = try LineEntries.env(bytes)
        if lines.count > ConfigLimits.maximumValues { throw ConfigLimits.valuesError(line: lines[ConfigLimits.maximumValues].line) }
        return [LineEntries.tree(lines, bytes: bytes, nested: false)]
    }

    func encode(_ value: String, kind: ScalarKind, replacing old: ConfigScalar, isKey: Bool) -> String? {
        if value.unicodeScalars.contains(where: { $0.value < 0x20 }) { return nil }
        if isKey {
            let valid = value.unicodeScalars.allSatisfy { ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0) }
            return valid && !value.isEmpty ? value : nil
        }
        let bare = !value.isEmpty && !value.unicodeScalars.contains { " \t#'\"$\\`".unicodeScalars.contains($0) }
        switch old.style {
        case .singleQuoted where !value.contains("'"): return "'" + value + "'"
        case .plain where bare: return value
        default:
            var text = "\""
            for character in value {
                if character == "\"" || character == "\\" || character == "$" || character == "`" { text += "\\" }
                text.append(character)
            }
            return text + "\""
        }
    }

    func entryText(key: String, value: String, kind: ScalarKind, at point: InsertionPoint) -> String? {
        let probe = ConfigScalar(value: "", kind: .string, style: .plain, spans: [], line: 0)
        guard let keyText = encode(key, kind: .string, replacing: probe, isKey: true),
              let valueText = encode(value, kind: .string, replacing: probe, isKey: false) else { return nil }
        return point.prefix + keyText + "=" + valueText + point.suffix
    }

    var holdsOnlyText: Bool { true }
}

/// One `key = value` line of a line-oriented file, located.
struct LineEntry {
    /// The key as read (escapes decoded) and the span of its text.
    var key: String
    var keySpan: Range<Int>
    var value: ConfigScalar
    /// The whole line with its line end, for deletion.
    var lineRange: Range<Int>
    var line: Int
    var refusal: String?
}

enum LineEntries {
    /// Reads `.properties` lines.
    static func properties(_ bytes: [UInt8]) -> [LineEntry] {
        let starts = Bytes.lineStarts(bytes)
        var entries: [LineEntry] = []
        var lineIndex = 0
        while lineIndex < starts.count {
            let start = starts[lineIndex]
            let end = Bytes.lineEnd(bytes, from: start)
            let next = lineIndex + 1 < starts.count ? starts[lineIndex + 1] : bytes.count
            defer { lineIndex += 1 }
            var index = start
            if lineIndex == 0, Bytes.hasBOM(bytes) { index = 3 }
            while index < end, bytes[index] == Bytes.space || bytes[index] == Bytes.tab || bytes[index] == 0x0C { index += 1 }
            if index == end || bytes[index] == UInt8(ascii: "#") || bytes[index] == UInt8(ascii: "!") { continue }
            let keyStart = index
            var key = String.UnicodeScalarView()
            while index < end {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\"), index + 1 < end {
                    if bytes[index + 1] == UInt8(ascii: "u"), index + 6 <= end,
                       let code = Bytes.hex(bytes[(index + 2)..<(index + 6)]), let scalar = Unicode.Scalar(code) {
                        key.append(scalar)
                        index += 6
                    } else {
                        key.append(unescape(bytes[index + 1]))
                        index += 2
                    }
                    continue
                }
                if byte == UInt8(ascii: "=") || byte == UInt8(ascii: ":") || byte == Bytes.space || byte == Bytes.tab { break }
                let length = YAMLLocator.scalarLength(byte)
                key.append(contentsOf: Bytes.string(bytes[index..<min(index + length, end)]).unicodeScalars)
                index += length
            }
            let keyEnd = index
            while index < end, bytes[index] == Bytes.space || bytes[index] == Bytes.tab { index += 1 }
            if index < end, bytes[index] == UInt8(ascii: "=") || bytes[index] == UInt8(ascii: ":") { index += 1 }
            while index < end, bytes[index] == Bytes.space || bytes[index] == Bytes.tab { index += 1 }
            let valueStart = index
            var value = String.UnicodeScalarView()
            var trailingBackslashes = 0
            while index < end {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") {
                    if index + 1 == end { trailingBackslashes = 1; index += 1; break }
                    if bytes[index + 1] == UInt8(ascii: "u"), index + 6 <= end,
                       let code = Bytes.hex(bytes[(index + 2)..<(index + 6)]), let scalar = Unicode.Scalar(code) {
                        value.append(scalar)
                        index += 6
                    } else {
                        value.append(unescape(bytes[index + 1]))
                        index += 2
                    }
                    continue
                }
                let length = YAMLLocator.scalarLength(byte)
                value.append(contentsOf: Bytes.string(bytes[index..<min(index + length, end)]).unicodeScalars)
                index += length
            }
            let line = lineIndex + 1
            var scalar = ConfigScalar(value: String(value), kind: .string, style: .plain, spans: [valueStart..<end], line: line)
            var refusal: String?
            if trailingBackslashes > 0 {
                refusal = "a value continued over several lines"
                scalar.spans = []
                scalar.refusal = refusal
                scalar.id = valueStart
                // Swallow the continuation lines.
                while lineIndex + 1 < starts.count {
                    lineIndex += 1
                    let lineEnd = Bytes.lineEnd(bytes, from: starts[lineIndex])
                    if !(lineEnd > starts[lineIndex] && bytes[lineEnd - 1] == UInt8(ascii: "\\")) { break }
                }
            }
            if valueStart == end { scalar.spans = [end..<end] }
            entries.append(LineEntry(key: String(key), keySpan: keyStart..<keyEnd, value: scalar,
                                     lineRange: start..<next, line: line, refusal: refusal))
        }
        return entries
    }

    private static func unescape(_ byte: UInt8) -> Unicode.Scalar {
        switch byte {
        case UInt8(ascii: "t"): "\t"
        case UInt8(ascii: "n"): "\n"
        case UInt8(ascii: "r"): "\r"
        case UInt8(ascii: "f"): "\u{0C}"
        default: Unicode.Scalar(byte)
        }
    }

    /// Reads `.env` lines.
    static func env(_ bytes: [UInt8]) throws(ConfigParseError) -> [LineEntry] {
        let starts = Bytes.lineStarts(bytes)
        var entries: [LineEntry] = []
        var lineIndex = 0
        while lineIndex < starts.count {
            let start = starts[lineIndex]
            defer { lineIndex += 1 }
            let end = Bytes.lineEnd(bytes, from: start)
            var next = lineIndex + 1 < starts.count ? starts[lineIndex + 1] : bytes.count
            var index = start
            if lineIndex == 0, Bytes.hasBOM(bytes) { index = 3 }
            while index < end, bytes[index] == Bytes.space || bytes[index] == Bytes.tab { index += 1 }
            if index == end || bytes[index] == UInt8(ascii: "#") { continue }
            if bytes[index..<end].starts(with: Array("export ".utf8)) {
                index += 7
                while index < end, bytes[index] == Bytes.space { index += 1 }
            }
            let keyStart = index
            while index < end, bytes[index] != UInt8(ascii: "="), bytes[index] != Bytes.space, bytes[index] != Bytes.tab { index += 1 }
            let keyEnd = index
            while index < end, bytes[index] == Bytes.space || bytes[index] == Bytes.tab { index += 1 }
            guard index < end, bytes[index] == UInt8(ascii: "="), keyEnd > keyStart else {
                throw ConfigParseError(line: lineIndex + 1, "expected KEY=value")
            }
            index += 1
            while index < end, bytes[index] == Bytes.space || bytes[index] == Bytes.tab { index += 1 }
            let valueStart = index
            let line = lineIndex + 1
            var scalar: ConfigScalar
            if index < end, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                let quote = bytes[index]
                index += 1
                let contentStart = index
                while index < end, bytes[index] != quote {
                    // In double quotes a backslash takes the next character, a quote included.
                    let escape = quote == UInt8(ascii: "\"") && bytes[index] == UInt8(ascii: "\\") && index + 1 < end
                    index += escape ? 2 : 1
                }
                if index < end {
                    let value = LineEntries.envValue(bytes[contentStart..<index], quote: quote)
                    scalar = ConfigScalar(value: value, kind: .string, style: quote == UInt8(ascii: "'") ? .singleQuoted : .doubleQuoted,
                                          spans: [valueStart..<(index + 1)], line: line)
                } else {
                    // The value goes on to the line holding its closing quote (`B="x` … `y"`):
                    // located, so the rest of the file stays editable, but not edited.
                    var closing = index
                    while closing < bytes.count, bytes[closing] != quote {
                        if quote == UInt8(ascii: "\""), bytes[closing] == UInt8(ascii: "\\") { closing += 1 }
                        closing += 1
                    }
                    guard closing < bytes.count else { throw ConfigParseError(line: line, "unterminated quoted value") }
                    while lineIndex + 1 < starts.count, starts[lineIndex + 1] <= closing { lineIndex += 1 }
                    next = lineIndex + 1 < starts.count ? starts[lineIndex + 1] : bytes.count
                    let lastEnd = Bytes.lineEnd(bytes, from: starts[lineIndex])
                    var after = closing + 1
                    while after < lastEnd, bytes[after] == Bytes.space || bytes[after] == Bytes.tab { after += 1 }
                    guard after == lastEnd || bytes[after] == UInt8(ascii: "#") else {
                        throw ConfigParseError(line: lineIndex + 1, "text after a quoted value")
                    }
                    scalar = ConfigScalar(value: LineEntries.envValue(bytes[(valueStart + 1)..<closing], quote: quote), kind: .string, style: .doubleQuoted, spans: [],
                                          refusal: "a quoted value over several lines", line: line, id: valueStart)
                }
            } else {
                while index < end, !(bytes[index] == UInt8(ascii: "#") && index > valueStart && (bytes[index - 1] == Bytes.space || bytes[index - 1] == Bytes.tab)) { index += 1 }
                while index > valueStart, bytes[index - 1] == Bytes.space || bytes[index - 1] == Bytes.tab { index -= 1 }
                scalar = ConfigScalar(value: Bytes.string(bytes[valueStart..<index]), kind: .string, style: .plain,
                                      spans: [valueStart..<index], line: line)
            }
            entries.append(LineEntry(key: Bytes.string(bytes[keyStart..<keyEnd]), keySpan: keyStart..<keyEnd, value: scalar,
                                     lineRange: start..<next, line: line))
        }
        return entries
    }

    /// The text of a quoted `.env` value: in double quotes `\n` is a line end and a backslash
    /// takes the next character as it is; single quotes take everything as it is.
    static func envValue(_ bytes: ArraySlice<UInt8>, quote: UInt8) -> String {
        guard quote == UInt8(ascii: "\"") else { return Bytes.string(bytes) }
        var value = ""
        var index = bytes.startIndex
        var segment = index
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.endIndex {
                value += Bytes.string(bytes[segment..<index])
                let escaped = bytes[index + 1]
                value += escaped == UInt8(ascii: "n") ? "\n" : String(Unicode.Scalar(escaped))
                index += 2
                segment = index
                continue
            }
            index += 1
        }
        return value + Bytes.string(bytes[segment..<index])
    }

    /// Builds the mapping of a line-oriented file, nesting dotted keys when asked and possible.
    static func tree(_ entries: [LineEntry], bytes: [UInt8], nested: Bool) -> ConfigNode {
        let ending = Bytes.lineEnding(bytes)
        let atEnd = bytes.isEmpty || bytes.last == Bytes.newline
        func endInsertion(_ prefix: String) -> InsertionPoint {
            InsertionPoint(offset: bytes.count, prefix: (atEnd ? "" : ending) + prefix, suffix: atEnd ? ending : "")
        }
        let keys = Set(entries.map(\.key))
        let canNest = nested && entries.allSatisfy { entry in
            let raw = Bytes.string(bytes[entry.keySpan])
            guard raw == entry.key, !entry.key.hasPrefix("."), !entry.key.hasSuffix("."), !entry.key.contains("..") else { return false }
            // Nesting as deep as a hostile key's dots would overflow the stack while building.
            guard entry.key.utf8.lazy.filter({ $0 == UInt8(ascii: ".") }).count < ConfigLimits.maximumDepth else { return false }
            // A key that is also a prefix of another would be both a value and a mapping. The
            // prefixes are slices of the key, so a key of many parts costs its length per part.
            let key = entry.key.utf8
            var dot = key.startIndex
            while let next = key[dot...].firstIndex(of: UInt8(ascii: ".")) {
                if keys.contains(String(entry.key[..<next])) { return false }
                dot = key.index(after: next)
            }
            return true
        }
        func flatEntry(_ entry: LineEntry) -> ConfigEntry {
            var key = ConfigScalar(value: entry.key, kind: .string, style: nested ? .literal : .plain, spans: [entry.keySpan], line: entry.line)
            if entry.refusal != nil { key.refusal = entry.refusal; key.spans = [] }
            return ConfigEntry(key: key, value: .scalar(entry.value), deletion: entry.refusal == nil ? entry.lineRange : nil,
                               deletionRefusal: entry.refusal)
        }
        guard canNest else {
            var mapping = ConfigMapping(entries: entries.map(flatEntry), line: 1, id: 0, insertion: endInsertion(""))
            mapping.dottedKeys = nested
            return .mapping(mapping)
        }
        // Nest: a trie of key components, each component keeping every span it is written at.
        final class Level {
            var order: [String] = []
            var children: [String: Level] = [:]
            var spans: [String: [Range<Int>]] = [:]
            var lines: [String: Int] = [:]
            var leaves: [String: LineEntry] = [:]
            var lineRanges: [String: [Range<Int>]] = [:]
        }
        let root = Level()
        for entry in entries {
            var level = root
            var offset = entry.keySpan.lowerBound
            let parts = entry.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            for (position, part) in parts.enumerated() {
                let span = offset..<(offset + part.utf8.count)
                offset = span.upperBound + 1
                if level.spans[part] == nil {
                    level.order.append(part)
                    level.lines[part] = entry.line
                }
                level.spans[part, default: []].append(span)
                level.lineRanges[part, default: []].append(entry.lineRange)
                if position == parts.count - 1 {
                    level.leaves[part] = entry
                } else {
                    if level.children[part] == nil { level.children[part] = Level() }
                    level = level.children[part]!
                }
            }
        }
        var nextID = -1_000_000
        func build(_ level: Level, prefix: String) -> ConfigMapping {
            nextID -= 1
            let id = nextID
            var result: [ConfigEntry] = []
            for part in level.order {
                let firstSpan = level.spans[part]![0]
                var key = ConfigScalar(value: part, kind: .string, style: .plain, spans: level.spans[part]!, line: level.lines[part]!, id: firstSpan.lowerBound)
                if let leaf = level.leaves[part] {
                    if leaf.refusal != nil { key.refusal = leaf.refusal; key.spans = [] }
                    result.append(ConfigEntry(key: key, value: .scalar(leaf.value), deletion: leaf.refusal == nil ? leaf.lineRange : nil,
                                              deletionRefusal: leaf.refusal))
                } else {
                    let child = build(level.children[part]!, prefix: prefix + part + ".")
                    let ranges = level.lineRanges[part]!
                    let contiguous = zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }
                    result.append(ConfigEntry(key: key, value: .mapping(child),
                                              deletion: contiguous ? ranges.first!.lowerBound..<ranges.last!.upperBound : nil,
                                              deletionRefusal: contiguous ? nil : "its lines are not together"))
                }
            }
            return ConfigMapping(entries: result, line: result.first?.key.line ?? 1, id: id, insertion: endInsertion(prefix))
        }
        return .mapping(build(root, prefix: ""))
    }
}
