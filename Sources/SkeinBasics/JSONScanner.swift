/// The one JSON lexer: whitespace, literals and strings of RFC 8259 text, by byte offset.
/// `JSONValue.parse` (ledger lines, which may come from other machines) and the config JSON
/// locator (consumers' files) both read through it, so both refuse the same bad input — a
/// broken surrogate pair, a control character, an unknown escape — as an error, never a trap.
public struct JSONScanner: Sendable {
    public let bytes: [UInt8]
    public var index: Int

    public init(bytes: [UInt8], index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// A lexing error at a byte offset.
    public struct Failure: Error, Sendable {
        public var offset: Int
        public var message: String
    }

    /// A string as read: its value, and whether it spelled `\/` (which a rewrite keeps).
    public struct ScannedString: Sendable {
        public var value: String
        public var escapesSlash: Bool
    }

    public var atEnd: Bool { index >= bytes.count }
    public var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    public mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
            index += 1
        }
    }

    /// Reads `word` (`true`, `false`, `null`) when it is next; false otherwise.
    public mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// Reads the string starting at the current `"`.
    public mutating func string() throws(Failure) -> ScannedString {
        let start = index
        index += 1
        var scalars = String.UnicodeScalarView()
        var escapesSlash = false
        var segment = index
        func flush(_ end: Int) { scalars.append(contentsOf: String(decoding: bytes[segment..<end], as: UTF8.self).unicodeScalars) }
        while true {
            guard index < bytes.count else { throw Failure(offset: start, message: "unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flush(index)
                index += 1
                return ScannedString(value: String(scalars), escapesSlash: escapesSlash)
            }
            if byte < 0x20 { throw Failure(offset: index, message: "control character in a string") }
            guard byte == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            flush(index)
            guard index + 1 < bytes.count else { throw Failure(offset: index, message: "unterminated escape") }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"):
                scalars.append("/")
                escapesSlash = true
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"): scalars.append(try unicodeEscape())
            default: throw Failure(offset: index - 2, message: "invalid escape")
            }
            segment = index
        }
    }

    /// After `\u`: four hex digits, and for a high surrogate the `\uXXXX` low one that must
    /// follow it.
    mutating func unicodeEscape() throws(Failure) -> Unicode.Scalar {
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw Failure(offset: index, message: "unpaired surrogate \\u\(String(code, radix: 16, uppercase: true))")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else {
                throw Failure(
                    offset: index,
                    message: "broken surrogate pair \\u\(String(code, radix: 16, uppercase: true))\\u\(String(low, radix: 16, uppercase: true))")
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw Failure(offset: index, message: "invalid \\u escape (a lone surrogate)") }
        return scalar
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure(offset: index, message: "invalid \\u escape") }
        var value: UInt32 = 0
        for digit in bytes[index..<index + 4] {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt32(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt32(digit - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt32(digit - UInt8(ascii: "A") + 10)
            default: throw Failure(offset: index, message: "invalid \\u escape")
            }
        }
        index += 4
        return value
    }
}

/// The one double-quoted string writer of skein's formats (JSON, TOML, YAML, ledger lines): the
/// usual backslash escapes, and `control` for the other control characters, spelled the way
/// each format spells them (`\u00XX` in JSON and TOML, `\xXX` in YAML).
public func doubleQuoted(_ value: String, control: (UInt32) -> String) -> String {
    var text = "\""
    appendDoubleQuoted(value, to: &text, control: control)
    return text + "\""
}

/// `doubleQuoted` without the quotes, appended to `text`.
public func appendDoubleQuoted(_ value: String, to text: inout String, control: (UInt32) -> String) {
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": text += "\\\""
        case "\\": text += "\\\\"
        case "\n": text += "\\n"
        case "\t": text += "\\t"
        case "\r": text += "\\r"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: text += control(scalar.value)
        default: text.unicodeScalars.append(scalar)
        }
    }
}

/// `\u00XX`, as JSON and TOML spell a control character.
public func unicodeEscaped(_ code: UInt32, uppercase: Bool = false) -> String {
    let hex = String(code, radix: 16, uppercase: uppercase)
    return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}
