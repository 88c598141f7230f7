import Foundation

/// CSV sample data: only the header row is located (its fields are the rows' keys); data rows
/// are left as they are.
struct CSVFormat: ConfigFormat {
    /// Only the header row is read, so the file's size does not matter.
    var maximumBytes: Int { .max }

    func parse(_ bytes: [UInt8]) throws(ConfigParseError) -> [ConfigNode] {
        var index = Bytes.hasBOM(bytes) ? 3 : 0
        var entries: [ConfigEntry] = []
        while index < bytes.count, bytes[index] != Bytes.newline, bytes[index] != Bytes.carriageReturn {
            let start = index
            var value = ""
            var style = ScalarStyle.plain
            if bytes[index] == UInt8(ascii: "\"") {
                style = .doubleQuoted
                index += 1
                var segment = index
                while true {
                    guard index < bytes.count else { throw ConfigParseError(line: 1, "unterminated quoted header field") }
                    if bytes[index] == UInt8(ascii: "\"") {
                        value += Bytes.string(bytes[segment..<index])
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                            value += "\""
                            index += 2
                            segment = index
                            continue
                        }
                        index += 1
                        break
                    }
                    if bytes[index] == Bytes.newline { throw ConfigParseError(line: 1, "a header field over several lines") }
                    index += 1
                }
            } else {
                while index < bytes.count, ![UInt8(ascii: ","), Bytes.newline, Bytes.carriageReturn].contains(bytes[index]) { index += 1 }
                value = Bytes.string(bytes[start..<index])
            }
            let key = ConfigScalar(value: value, kind: .string, style: style, spans: [start..<index], line: 1)
            let cell = ConfigScalar(value: "", kind: .null, style: .plain, spans: [], refusal: "a data cell", line: 1, id: -start - 1)
            entries.append(ConfigEntry(key: key, value: .scalar(cell), deletionRefusal: "a CSV column"))
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") {
                index += 1
                if index >= bytes.count || bytes[index] == Bytes.newline || bytes[index] == Bytes.carriageReturn {
                    let empty = ConfigScalar(value: "", kind: .string, style: .plain, spans: [index..<index], line: 1)
                    entries.append(ConfigEntry(key: empty, value: .scalar(ConfigScalar(value: "", kind: .null, style: .plain, spans: [], line: 1, id: -index - 1))))
                }
            } else if index < bytes.count, bytes[index] != Bytes.newline, bytes[index] != Bytes.carriageReturn {
                throw ConfigParseError(line: 1, "text after a quoted header field")
            }
        }
        return [.mapping(ConfigMapping(entries: entries, line: 1, id: -1))]
    }

    func encode(_ value: String, kind: ScalarKind, replacing old: ConfigScalar, isKey: Bool) -> String? {
        // The header stays one line.
        if value.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) { return nil }
        let needsQuotes = value.contains(where: { $0 == "," || $0 == "\"" })
            || value.first == " " || value.last == " "
        guard needsQuotes || old.style == .doubleQuoted else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    func isSampleData(_ documents: [ConfigNode]) -> Bool { true }
}
