/// TOML 1.0's bare values (integers, floats, booleans, dates and times), checked by the
/// specification's grammar so a malformed value makes the file invalid rather than editable.
enum TOMLValues {
    /// The kind of a bare value, or nil when TOML 1.0 does not allow it.
    static func kind(of text: String) -> ScalarKind? {
        let bytes = Array(text.utf8)
        if text == "true" || text == "false" { return .bool }
        if isInteger(bytes) { return .integer }
        if isFloat(bytes) { return .float }
        if isDateTime(bytes) { return .other }
        return nil
    }

    /// Digits with single underscores between them: `1_000`.
    static func isDigits(_ bytes: ArraySlice<UInt8>, _ digit: (UInt8) -> Bool = Bytes.isDigit) -> Bool {
        guard let first = bytes.first, let last = bytes.last, digit(first), digit(last) else { return false }
        var previousUnderscore = false
        for byte in bytes {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if digit(byte) {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    static func isInteger(_ bytes: [UInt8]) -> Bool {
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            let rest = bytes[2...]
            switch bytes[1] {
            case UInt8(ascii: "x"): return isDigits(rest) { Bytes.isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) } && fits(rest, radix: 16)
            case UInt8(ascii: "o"): return isDigits(rest) { (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) } && fits(rest, radix: 8)
            case UInt8(ascii: "b"): return isDigits(rest) { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") } && fits(rest, radix: 2)
            default: break
            }
        }
        var digits = bytes[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard isDigits(digits) else { return false }
        if digits.first == UInt8(ascii: "0"), digits.count > 1 { return false }  // no leading zeros
        let plain = String(decoding: digits.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        return Int64(negative ? "-" + plain : plain) != nil
    }

    /// Whether a non-negative integer in a radix fits 64 signed bits.
    static func fits(_ digits: ArraySlice<UInt8>, radix: Int) -> Bool {
        Int64(String(decoding: digits.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self), radix: radix) != nil
    }

    static func isFloat(_ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
        if rest.elementsEqual("inf".utf8) || rest.elementsEqual("nan".utf8) { return true }
        let exponentAt = rest.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = rest[..<(exponentAt ?? rest.endIndex)]
        let dot = mantissa.firstIndex(of: UInt8(ascii: "."))
        let whole = mantissa[..<(dot ?? mantissa.endIndex)]
        guard isDigits(whole), whole.first != UInt8(ascii: "0") || whole.count == 1 else { return false }
        if let dot {
            guard isDigits(mantissa[(dot + 1)...]) else { return false }
        }
        if let exponentAt {
            var exponent = rest[(exponentAt + 1)...]
            if let sign = exponent.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
            guard isDigits(exponent) else { return false }
        }
        return dot != nil || exponentAt != nil
    }

    /// An offset date-time, local date-time, local date or local time (RFC 3339 as TOML takes it).
    static func isDateTime(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func number(_ count: Int, _ range: ClosedRange<Int>) -> Int? {
            guard index + count <= bytes.count, bytes[index..<(index + count)].allSatisfy(Bytes.isDigit) else { return nil }
            let value = bytes[index..<(index + count)].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            index += count
            return range.contains(value) ? value : nil
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        func time() -> Bool {
            guard number(2, 0...23) != nil, expect(":"), number(2, 0...59) != nil, expect(":"), number(2, 0...60) != nil else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let start = index
                while index < bytes.count, Bytes.isDigit(bytes[index]) { index += 1 }
                if index == start { return false }
            }
            return true
        }
        if bytes.count >= 3, bytes[2] == UInt8(ascii: ":") {
            return time() && index == bytes.count
        }
        guard let year = number(4, 0...9999), expect("-"), let month = number(2, 1...12), expect("-"),
              let day = number(2, 1...31) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return false }
        if index == bytes.count { return true }
        guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t") || bytes[index] == UInt8(ascii: " ") else { return false }
        index += 1
        guard time() else { return false }
        if index == bytes.count { return true }
        if expect("Z") || expect("z") { return index == bytes.count }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return false }
        index += 1
        return number(2, 0...23) != nil && expect(":") && number(2, 0...59) != nil && index == bytes.count
    }
}
