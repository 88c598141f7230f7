/// Text from consumers (repo names, test names, file paths, error output) made safe to print on
/// a terminal: control characters (C0, DEL, C1) and the invisible bidirectional overrides are
/// shown as escapes (`\e`, `\n`, `\u{9b}`), so nothing a consumer wrote can move the cursor,
/// recolour or retitle the terminal, or hide text. JSON output needs none of this: its encoder
/// escapes control characters already.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\u{1b}": result += "\\e"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default: result += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return result
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7f...0x9f).contains(value) || (0x202a...0x202e).contains(value)
            || (0x2066...0x2069).contains(value)
    }
}

extension String {
    /// This text made safe for a terminal (`TerminalText.escaped`).
    public var terminalSafe: String { TerminalText.escaped(self) }
}
