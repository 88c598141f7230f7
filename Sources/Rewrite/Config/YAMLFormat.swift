import Foundation
import SkeinBasics
import Yams

/// YAML through Yams' composer, which gives each node a start mark (1-based line, column in
/// Unicode scalars) and no end: the end is found from the scalar's style. Several documents,
/// flow and block collections. Anchors and aliases stay as written: an alias is read as a
/// reference, and nothing inside a node that an alias uses is edited (the alias would change
/// with it); block scalars (`|`, `>`) and flow scalars over several lines are located but
/// refused with a reason.
struct YAMLFormat: ConfigFormat {
    var maximumBytes: Int { ConfigLimits.maximumYAMLBytes }

    func parse(_ bytes: [UInt8]) throws(ConfigParseError) -> [ConfigNode] {
        // Yams tells libyaml the encoding, and libyaml then reads a byte order mark as text.
        let text = String(decoding: Bytes.hasBOM(bytes) ? bytes[3...] : bytes[...], as: UTF8.self)
        var locator = YAMLLocator(bytes: bytes)
        try locator.checkNesting()
        try locator.checkDocumentMarkers()
        do {
            var documents: [ConfigNode] = []
            // Not `compose_all`: its sequence ends quietly at an error, which would read a broken
            // file as its documents before the error.
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                documents.append(try locator.convert(node, inFlow: false, depth: 0))
            }
            return documents
        } catch let error as ConfigParseError {
            throw error
        } catch let error as YamlError {
            let message = YAMLFormat.message(of: error)
            if message.contains("Maximum nesting level") {
                throw ConfigParseError(line: YAMLFormat.line(of: error), "nested deeper than the YAML reader's limit of 1000 levels", limit: true)
            }
            throw ConfigParseError(line: YAMLFormat.line(of: error), message)
        } catch {
            throw ConfigParseError(line: 1, "invalid YAML: \(error)")
        }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: 1
        }
    }

    /// libyaml's problem and what it was reading, without Yams' echo of the text.
    private static func message(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            return problem + (context.map { " \($0.text)" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) (YAML requires unique keys)"
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "invalid YAML"
        }
    }

    func encode(_ value: String, kind: ScalarKind, replacing old: ConfigScalar, isKey: Bool) -> String? {
        // An empty value has no text: the new one needs its separating space.
        if old.spans.first?.isEmpty == true {
            var empty = old
            empty.spans = []
            return encode(value, kind: kind, replacing: empty, isKey: isKey).map { " " + $0 }
        }
        guard kind == .string else { return value }
        let hasControl = value.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        let single = "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
        switch old.style {
        case .doubleQuoted: return YAMLFormat.doubleQuoted(value)
        case .singleQuoted where !hasControl: return single
        case .plain where YAMLFormat.isPlainSafe(value): return value
        default: return hasControl ? YAMLFormat.doubleQuoted(value) : single
        }
    }

    func entryText(key: String, value: String, kind: ScalarKind, at point: InsertionPoint) -> String? {
        entryText(key: key, value: value, kind: kind, at: point, separator: ": ")
    }

    static func doubleQuoted(_ value: String) -> String {
        SkeinBasics.doubleQuoted(value) { code in
            let hex = String(code, radix: 16)
            return "\\x" + (hex.count < 2 ? "0" : "") + hex
        }
    }

    /// Whether a string can be written plain, in block or flow context, and still read as the
    /// same string (not a number, boolean or null).
    static func isPlainSafe(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last else { return false }
        if first == " " || first == "\t" || last == " " || last == "\t" { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || ",[]{}".unicodeScalars.contains($0) }) { return false }
        if value.contains(": ") || value.contains(" #") || value.hasSuffix(":") || value.contains("\u{FEFF}") { return false }
        return Resolver.default.resolveTag(of: Node(value)) == .str
    }
}

/// Turns Yams nodes into located config nodes.
///
/// Yams' composer hands back an alias as the very node its anchor names, so a file of a few
/// lines can spell a graph of billions of nodes (an alias bomb). Each node is converted once:
/// a collection or scalar met again at the same place is an alias use, kept as a reference
/// and counted, never walked.
struct YAMLLocator {
    let bytes: [UInt8]
    let lineStarts: [Int]
    /// Anchor names some alias uses (`*name`): an edit inside such an anchored node would
    /// change every alias too, so nothing in it is edited.
    private let aliasedNames: Set<String>
    private var seenScalars: Set<Int> = []
    private var seenCollections: Set<Int> = []
    private var aliases = 0
    private var values = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.lineStarts = Bytes.lineStarts(bytes)
        self.aliasedNames = YAMLLocator.aliasNames(bytes)
    }

    /// Every `*name` of the text, a superset of the aliases (the text of a scalar may hold one).
    static func aliasNames(_ bytes: [UInt8]) -> Set<String> {
        var names: Set<String> = []
        var index = 0
        while let star = bytes[index...].firstIndex(of: UInt8(ascii: "*")) {
            var end = star + 1
            while end < bytes.count, ![Bytes.space, Bytes.tab, Bytes.newline, Bytes.carriageReturn, UInt8(ascii: ","),
                                       UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "{")].contains(bytes[end]) { end += 1 }
            if end > star + 1 { names.insert(Bytes.string(bytes[(star + 1)..<end])) }
            index = end
        }
        return names
    }

    func isAliased(_ anchor: Anchor?) -> Bool {
        guard let anchor else { return false }
        return aliasedNames.contains(anchor.rawValue)
    }

    /// The byte offset of a mark: its line's start, then `column - 1` Unicode scalars on.
    ///
    /// Marks come mostly in document order, so the walk goes on from the last one on the same
    /// line: a long line of many nodes (a flow sequence of a million items) costs its length
    /// once, not once per node.
    func offset(of mark: Mark?) -> Int {
        guard let mark, mark.line >= 1, mark.line <= lineStarts.count else { return 0 }
        var index = lineStarts[mark.line - 1]
        // libyaml does not count a byte order mark as a column.
        if mark.line == 1, Bytes.hasBOM(bytes) { index = 3 }
        var column = 1
        if cursor.line == mark.line, cursor.column <= mark.column {
            (index, column) = (cursor.offset, cursor.column)
        }
        while column < mark.column, index < bytes.count {
            index += YAMLLocator.scalarLength(bytes[index])
            column += 1
        }
        (cursor.line, cursor.column, cursor.offset) = (mark.line, column, index)
        return min(index, bytes.count)
    }

    /// The last mark `offset(of:)` found: line, column and byte offset.
    private final class Cursor {
        var line = 0, column = 1, offset = 0
    }
    private let cursor = Cursor()

    static func scalarLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0..<0x80: 1
        case 0xC0..<0xE0: 2
        case 0xE0..<0xF0: 3
        case 0xF0...: 4
        default: 1
        }
    }

    func line(_ offset: Int) -> Int { Bytes.line(of: offset, in: lineStarts) }

    /// Whether a collection starting at an offset is a flow one (`[`, `{`); Yams' composer does
    /// not keep the style, so the text says.
    func opens(at offset: Int, _ bracket: UInt8) -> Bool {
        var index = skipProperties(offset)
        while index < bytes.count, bytes[index] == Bytes.space { index += 1 }
        return index < bytes.count && bytes[index] == bracket
    }

    /// Skips an anchor (`&a`) and a tag (`!t`) written before a node's text.
    func skipProperties(_ offset: Int) -> Int {
        var start = offset
        while start < bytes.count, bytes[start] == UInt8(ascii: "&") || bytes[start] == UInt8(ascii: "!") {
            while start < bytes.count, ![Bytes.space, Bytes.tab, Bytes.newline, Bytes.carriageReturn].contains(bytes[start]) { start += 1 }
            while start < bytes.count, bytes[start] == Bytes.space || bytes[start] == Bytes.tab { start += 1 }
        }
        return start
    }

    static let anchoredRefusal = "anchored (&) and used through an alias (*), which would change too"

    /// The value names the anchor rather than a place, so it reads the same after an edit
    /// elsewhere moves the text.
    private mutating func alias(of anchor: Anchor?, at start: Int) throws(ConfigParseError) -> ConfigNode {
        aliases += 1
        if aliases > ConfigLimits.maximumAliases {
            throw ConfigParseError(line: line(start), "more than \(ConfigLimits.maximumAliases) alias uses (skein's limit for config files)", limit: true)
        }
        return .scalar(ConfigScalar(value: "*" + (anchor?.rawValue ?? ""), kind: .other, style: .plain, spans: [],
                                    refusal: "an alias", line: line(start), id: -1_000_000_000 - aliases))
    }

    mutating func convert(_ node: Node, inFlow: Bool, depth: Int, anchored: Bool = false) throws(ConfigParseError) -> ConfigNode {
        values += 1
        if values > ConfigLimits.maximumValues { throw ConfigLimits.valuesError(line: line(offset(of: node.mark))) }
        switch node {
        case .scalar(let scalar):
            let start = offset(of: scalar.mark)
            // An empty scalar may share its place with the next token, and expands to nothing.
            if !scalar.string.isEmpty, !seenScalars.insert(start).inserted { return try alias(of: scalar.anchor, at: start) }
            try checkGluedComment(scalar)
            var located = locate(scalar, inFlow: inFlow)
            if anchored || isAliased(scalar.anchor) { located.aliased = true }
            return .scalar(located)
        case .alias(let alias):
            let start = offset(of: alias.mark)
            return .scalar(ConfigScalar(value: "*" + alias.anchor.rawValue, kind: .other, style: .plain, spans: [],
                                        refusal: "an alias", line: line(start), id: start))
        case .sequence(let sequence):
            let start = offset(of: sequence.mark)
            guard seenCollections.insert(2 * start).inserted else { return try alias(of: sequence.anchor, at: start) }
            guard depth < ConfigLimits.maximumDepth else { throw ConfigLimits.depthError(line: line(start)) }
            let flow = inFlow || opens(at: start, UInt8(ascii: "["))
            let anchored = anchored || isAliased(sequence.anchor)
            var items: [ConfigNode] = []
            let column = indentation(of: start).column
            for item in sequence {
                if !flow { try checkContinuation(item, column: column) }
                items.append(try convert(item, inFlow: flow, depth: depth + 1, anchored: anchored))
            }
            return .sequence(ConfigSequence(items: items, line: line(start)))
        case .mapping(let mapping):
            let start = offset(of: mapping.mark)
            guard seenCollections.insert(2 * start + 1).inserted else { return try alias(of: mapping.anchor, at: start) }
            guard depth < ConfigLimits.maximumDepth else { throw ConfigLimits.depthError(line: line(start)) }
            let flow = inFlow || opens(at: start, UInt8(ascii: "{"))
            let anchored = anchored || isAliased(mapping.anchor)
            var entries: [ConfigEntry] = []
            var keys: Set<String> = []
            for (key, value) in mapping {
                if !flow, case .scalar(let keyScalar) = key {
                    let column = indentation(of: skipProperties(offset(of: keyScalar.mark))).column
                    try checkContinuation(value, column: column)
                    try checkBlockScalarIndentation(value, column: column)
                }
                let keyNode = try convert(key, inFlow: flow, depth: depth + 1, anchored: anchored)
                var valueNode = try convert(value, inFlow: flow, depth: depth + 1, anchored: anchored)
                // An alias use is reported at its key: Yams keeps only the anchor's place.
                if case .scalar(var use) = valueNode, use.refusal == "an alias", let keyLine = keyNode.scalar?.line {
                    use.line = keyLine
                    valueNode = .scalar(use)
                }
                guard var keyScalar = keyNode.scalar else {
                    continue  // a complex key cannot be named by a dotted path
                }
                // YAML 1.2 requires unique keys; readers disagree on which of two counts.
                if keyScalar.refusal != "an alias", !keys.insert(key.tag.rawValue + "\u{0}" + keyScalar.value).inserted {
                    throw ConfigParseError(line: keyScalar.line, "duplicate key \(keyScalar.value.debugDescription)")
                }
                if key.tag.rawValue == Tag.Name.merge.rawValue { keyScalar.refusal = "a merge key" }
                var entry = ConfigEntry(key: keyScalar, value: valueNode)
                if anchored {
                    entry.deletionRefusal = YAMLLocator.anchoredRefusal
                } else if flow {
                    entry.deletionRefusal = "in a flow mapping"
                } else if let range = blockEntryRange(keyScalar) {
                    entry.deletion = range
                } else {
                    entry.deletionRefusal = "its key does not start its line"
                }
                entries.append(entry)
            }
            // The only entry of a block mapping leaves `{}` in its place, or the mapping would
            // read as null (or a document as nothing).
            if !flow, entries.count == 1, let range = entries[0].deletion, let keyStart = entries[0].key.spans.first?.lowerBound {
                let indent = String(repeating: " ", count: indentation(of: keyStart).column)
                let ending = range.upperBound > range.lowerBound && bytes[range.upperBound - 1] == Bytes.newline ? Bytes.lineEnding(bytes) : ""
                entries[0].deletionText = indent + "{}" + ending
            }
            return .mapping(ConfigMapping(entries: entries, line: line(start), id: start,
                                          insertion: anchored ? nil : insertionPoint(entries, flow: flow)))
        }
    }

    /// Locates one scalar's text from its start and style.
    func locate(_ scalar: Node.Scalar, inFlow: Bool) -> ConfigScalar {
        var start = offset(of: scalar.mark)
        let kind: ScalarKind
        switch Tag.Name(rawValue: Node.scalar(scalar).tag.rawValue) {
        case .str: kind = .string
        case .int: kind = .integer
        case .float: kind = .float
        case .bool: kind = .bool
        case .null: kind = .null
        default: kind = .other
        }
        // The mark of a scalar with an anchor or a tag is at that property, not at the text.
        start = skipProperties(start)
        let lineNumber = line(start)
        func refused(_ reason: String, _ style: ScalarStyle) -> ConfigScalar {
            ConfigScalar(value: scalar.string, kind: kind, style: style, spans: [], refusal: reason, line: lineNumber, id: start)
        }
        switch scalar.style {
        case .literal, .folded:
            return refused("a block scalar (| or >)", .literal)
        case .singleQuoted:
            guard start < bytes.count, bytes[start] == UInt8(ascii: "'") else { return refused("its text was not found", .singleQuoted) }
            var index = start + 1
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "'") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "'") { index += 2; continue }
                    break
                }
                if bytes[index] == Bytes.newline { return refused("a quoted scalar over several lines", .singleQuoted) }
                index += 1
            }
            guard index < bytes.count else { return refused("its end was not found", .singleQuoted) }
            let inner = Bytes.string(bytes[(start + 1)..<index]).replacingOccurrences(of: "''", with: "'")
            guard inner == scalar.string else { return refused("its text does not read back", .singleQuoted) }
            return ConfigScalar(value: scalar.string, kind: kind, style: .singleQuoted, spans: [start..<(index + 1)], line: lineNumber)
        case .doubleQuoted:
            guard start < bytes.count, bytes[start] == UInt8(ascii: "\"") else { return refused("its text was not found", .doubleQuoted) }
            var index = start + 1
            var escaped = false
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == Bytes.newline { return refused("a quoted scalar over several lines", .doubleQuoted) }
                if bytes[index] == UInt8(ascii: "\\") { escaped = true; index += 1 }
                index += 1
            }
            guard index < bytes.count else { return refused("its end was not found", .doubleQuoted) }
            // Escapes are libyaml's to read; text without them must read back exactly.
            if !escaped, Bytes.string(bytes[(start + 1)..<index]) != scalar.string {
                return refused("its text does not read back", .doubleQuoted)
            }
            return ConfigScalar(value: scalar.string, kind: kind, style: .doubleQuoted, spans: [start..<(index + 1)], line: lineNumber)
        default:
            if scalar.string.isEmpty {
                // `key:` with nothing after it: a new value goes right after the colon.
                guard start > 0, bytes[start - 1] == UInt8(ascii: ":") else { return refused("an empty value", .plain) }
                return ConfigScalar(value: "", kind: kind, style: .plain, spans: [start..<start], line: lineNumber)
            }
            var index = start
            scan: while index < bytes.count {
                switch bytes[index] {
                case Bytes.newline, Bytes.carriageReturn: break scan
                case UInt8(ascii: "#") where index > start && (bytes[index - 1] == Bytes.space || bytes[index - 1] == Bytes.tab): break scan
                case UInt8(ascii: ":"):
                    let next = index + 1 < bytes.count ? bytes[index + 1] : Bytes.newline
                    if [Bytes.space, Bytes.tab, Bytes.newline, Bytes.carriageReturn].contains(next) { break scan }
                    if inFlow, ",[]{}".utf8.contains(next) { break scan }
                case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"):
                    if inFlow { break scan }
                default: break
                }
                index += 1
            }
            while index > start, bytes[index - 1] == Bytes.space || bytes[index - 1] == Bytes.tab { index -= 1 }
            guard Bytes.string(bytes[start..<index]) == scalar.string else {
                return refused("a plain scalar over several lines", .plain)
            }
            return ConfigScalar(value: scalar.string, kind: kind, style: .plain, spans: [start..<index], line: lineNumber)
        }
    }

    /// The column (in bytes) of an offset, and whether only blanks precede it on its line.
    func indentation(of offset: Int) -> (column: Int, startsLine: Bool) {
        let lineStart = lineStarts[line(offset) - 1]
        var first = lineStart
        if lineStart == 0, Bytes.hasBOM(bytes) { first = 3 }
        let before = bytes[min(first, offset)..<offset]
        return (offset - first, before.allSatisfy { $0 == Bytes.space })
    }

    /// The whole lines of a block mapping entry: its key's line and every following line that
    /// is indented deeper (or an indentless `- ` item of its value), through that line's end.
    func blockEntryRange(_ key: ConfigScalar) -> Range<Int>? {
        guard let keyStart = key.spans.first?.lowerBound else { return nil }
        let (column, startsLine) = indentation(of: keyStart)
        guard startsLine else { return nil }
        let lineIndex = line(keyStart) - 1
        return lineStarts[lineIndex]..<entryEnd(fromLine: lineIndex, column: column)
    }

    /// The offset after the last line that belongs to an entry whose key is on `lineIndex`.
    func entryEnd(fromLine lineIndex: Int, column: Int) -> Int {
        func after(_ line: Int) -> Int { line + 1 < lineStarts.count ? lineStarts[line + 1] : bytes.count }
        var end = after(lineIndex)
        var next = lineIndex + 1
        while next < lineStarts.count, lineStarts[next] < bytes.count {
            let start = lineStarts[next]
            let lineEnd = Bytes.lineEnd(bytes, from: start)
            var index = start
            while index < lineEnd, bytes[index] == Bytes.space { index += 1 }
            let depth = index - start
            if index == lineEnd {
                next += 1  // a blank line belongs to the entry only if deeper lines follow
                continue
            }
            let deeper = depth > column
            let indentlessItem = depth == column && bytes[index] == UInt8(ascii: "-")
                && (index + 1 >= lineEnd || bytes[index + 1] == Bytes.space)
            guard deeper || indentlessItem else { break }
            end = after(next)
            next += 1
        }
        return end
    }

    func insertionPoint(_ entries: [ConfigEntry], flow: Bool) -> InsertionPoint? {
        guard let last = entries.last, let keyStart = last.key.spans.first?.lowerBound else { return nil }
        if flow {
            guard let valueEnd = last.value.scalar?.spans.first?.upperBound else { return nil }
            return InsertionPoint(offset: valueEnd, prefix: ", ", suffix: "")
        }
        let (column, _) = indentation(of: keyStart)
        let end = entryEnd(fromLine: line(keyStart) - 1, column: column)
        let ending = Bytes.lineEnding(bytes)
        let indent = String(repeating: " ", count: column)
        let openLine = end == bytes.count && bytes.last != Bytes.newline
        return InsertionPoint(offset: end, prefix: (openLine ? ending : "") + indent, suffix: openLine ? "" : ending)
    }
}
