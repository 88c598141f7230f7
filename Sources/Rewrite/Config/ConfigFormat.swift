/// A file that could not be parsed as its format, with the line where parsing stopped.
struct ConfigParseError: Error, Sendable, CustomStringConvertible {
    var line: Int
    var message: String
    /// The file broke one of skein's limits (`ConfigLimits`) rather than its format's rules.
    var limit: Bool
    init(line: Int, _ message: String, limit: Bool = false) {
        self.line = line
        self.message = message
        self.limit = limit
    }
    var description: String { "line \(line): \(message)" }
}

/// One config or data format: how to locate its scalars and keys, and how to write a value the
/// way the file already writes it.
protocol ConfigFormat: Sendable {
    /// The documents of a file (several for multi-document YAML and for JSON Lines), each scalar
    /// and key with its byte span in `bytes`.
    func parse(_ bytes: [UInt8]) throws(ConfigParseError) -> [ConfigNode]
    /// The text that writes `value` in place of `old` (same quoting where it can), or nil when
    /// the format cannot hold it there.
    func encode(_ value: String, kind: ScalarKind, replacing old: ConfigScalar, isKey: Bool) -> String?
    /// The text of a new `key: value` entry for an insertion point of this format.
    func entryText(key: String, value: String, kind: ScalarKind, at point: InsertionPoint) -> String?
    /// Whether the documents are sample data rows rather than configuration.
    func isSampleData(_ documents: [ConfigNode]) -> Bool
    /// Whether every value of the format is text (`.properties`, `.env`): a number or a
    /// boolean a rule sets is written as its text.
    var holdsOnlyText: Bool { get }
    /// The largest file this format reads.
    var maximumBytes: Int { get }
}

extension ConfigFormat {
    func entryText(key: String, value: String, kind: ScalarKind, at point: InsertionPoint) -> String? { nil }
    func isSampleData(_ documents: [ConfigNode]) -> Bool { false }
    var holdsOnlyText: Bool { false }
    var maximumBytes: Int { ConfigLimits.maximumBytes }

    /// A new entry `key<separator>value`, key and value encoded as this format writes new ones.
    func entryText(key: String, value: String, kind: ScalarKind, at point: InsertionPoint, separator: String) -> String? {
        let probe = ConfigScalar(value: "", kind: .string, style: .plain, spans: [], line: 0)
        guard let keyText = encode(key, kind: .string, replacing: probe, isKey: true),
              let valueText = encode(value, kind: kind, replacing: probe, isKey: false) else { return nil }
        return point.prefix + keyText + separator + valueText + point.suffix
    }
}

/// The format of a worktree path, by its name.
enum ConfigFormats {
    static func format(for path: String) -> (any ConfigFormat)? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name == ".env" || name.hasPrefix(".env.") || name.hasSuffix(".env") { return EnvFormat() }
        guard let dot = name.lastIndex(of: ".") else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "yaml", "yml": return YAMLFormat()
        case "json": return JSONFormat(lines: false)
        case "jsonl", "ndjson": return JSONFormat(lines: true)
        case "toml": return TOMLFormat()
        case "properties": return PropertiesFormat()
        case "csv": return CSVFormat()
        default: return nil
        }
    }
}

/// Byte-level helpers the locators share.
enum Bytes {
    static let newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    /// The byte offset where each line starts (line 1 at index 0).
    static func lineStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == newline { starts.append(index + 1) }
        return starts
    }

    /// The 1-based line of a byte offset.
    static func line(of offset: Int, in starts: [Int]) -> Int {
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low + 1
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The end of line (before `\r\n` or `\n`) from an offset.
    static func lineEnd(_ bytes: [UInt8], from offset: Int) -> Int {
        var index = offset
        while index < bytes.count, bytes[index] != newline { index += 1 }
        if index > offset, bytes[index - 1] == carriageReturn { index -= 1 }
        return index
    }

    /// The line end the file uses: `\r\n` when its first line ends so.
    static func lineEnding(_ bytes: [UInt8]) -> String {
        guard let first = bytes.firstIndex(of: newline) else { return "\n" }
        return first > 0 && bytes[first - 1] == carriageReturn ? "\r\n" : "\n"
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The value of hex digits, only digits (`UInt32(_:radix:)` also takes a sign).
    static func hex(_ digits: ArraySlice<UInt8>) -> UInt32? {
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt32(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt32(digit - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt32(digit - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        return value
    }

    static func hasBOM(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0xEF, 0xBB, 0xBF]) }
}
