import Foundation

extension StatusPage {
    /// A unified diff as a code review shows it: file and hunk headers, added and removed lines
    /// on their colours, and the code itself lightly highlighted (keywords, types, strings,
    /// numbers and comments in Swift; keys, strings and comments in config files). Each line is
    /// a block of its own (so a colour spans the width), with no newline between them.
    static func diffLines(_ text: String) -> String {
        var html = ""
        html.reserveCapacity(text.utf8.count * 2)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var language = Language.plain
        for line in lines {
            if line.hasPrefix("diff --git") {
                language = Language(path: String(line.split(separator: " ").last ?? ""))
                html += "<span class=\"f\">\(escape(String(line)))</span>"
            } else if line.hasPrefix("+++") || line.hasPrefix("---") || line.hasPrefix("index ") || line.hasPrefix("new file")
                        || line.hasPrefix("deleted file") || line.hasPrefix("similarity") || line.hasPrefix("rename ") {
                html += "<span class=\"m\">\(escape(String(line)))</span>"
            } else if line.hasPrefix("@@") {
                html += "<span class=\"h\">\(escape(String(line)))</span>"
            } else if let mark = line.first, mark == "+" || mark == "-" || mark == " " {
                let kind = mark == "+" ? " class=\"a\"" : (mark == "-" ? " class=\"d\"" : "")
                html += "<span\(kind)>\(escape(String(mark)))\(highlight(line.dropFirst(), language))</span>"
            } else {
                html += "<span>\(line.isEmpty ? " " : escape(String(line)))</span>"
            }
        }
        return html
    }

    enum Language {
        case swift, config, plain

        init(path: String) {
            if path.hasSuffix(".swift") {
                self = .swift
            } else if [".yaml", ".yml", ".json", ".jsonl", ".ndjson", ".toml", ".properties", ".env"].contains(where: path.hasSuffix) {
                self = .config
            } else {
                self = .plain
            }
        }
    }

    static let swiftKeywords: Set<Substring> = [
        "actor", "as", "associatedtype", "async", "await", "break", "case", "catch", "class", "continue", "default", "defer",
        "do", "else", "enum", "extension", "fallthrough", "false", "fileprivate", "for", "func", "guard", "if", "import",
        "in", "init", "inout", "internal", "is", "let", "nil", "open", "private", "protocol", "public", "repeat", "return",
        "self", "Self", "some", "static", "struct", "super", "switch", "throw", "throws", "true", "try", "typealias", "var",
        "where", "while", "any",
    ]

    /// One line of code as escaped HTML with token spans. Plain text is only escaped.
    static func highlight(_ code: Substring, _ language: Language) -> String {
        guard language != .plain, code.utf8.count <= 2000 else { return escape(String(code)) }
        var html = ""
        var index = code.startIndex
        func span(_ kind: String, _ text: Substring) { html += "<i class=\"\(kind)\">\(escape(String(text)))</i>" }
        // Config: a leading `key:` / `key =` / `"key":` is a key.
        if language == .config {
            let trimmed = code.drop { $0 == " " || $0 == "-" || $0 == "\t" }
            html += escape(String(code[code.startIndex..<trimmed.startIndex]))
            index = trimmed.startIndex
            if let separator = trimmed.firstIndex(where: { $0 == ":" || $0 == "=" }),
               !trimmed[..<separator].contains(" ") || trimmed.first == "\"",
               !trimmed[..<separator].isEmpty, trimmed.first != "#" {
                span("kk", trimmed[..<separator])
                index = separator
            }
        }
        while index < code.endIndex {
            let character = code[index]
            let rest = code[index...]
            if (language == .swift && rest.hasPrefix("//")) || (language == .config && character == "#") {
                span("kc", rest)
                break
            }
            if character == "\"" || (language == .config && character == "'") {
                var end = code.index(after: index)
                while end < code.endIndex, code[end] != character {
                    if code[end] == "\\" { end = code.index(after: end); if end == code.endIndex { break } }
                    end = code.index(after: end)
                }
                if end < code.endIndex { end = code.index(after: end) }
                span("ks", code[index..<end])
                index = end
                continue
            }
            if character.isLetter || character == "_" {
                let end = rest.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? code.endIndex
                let word = code[index..<end]
                if language == .swift && swiftKeywords.contains(word) {
                    span("kk", word)
                } else if language == .swift && word.first?.isUppercase == true {
                    span("kt", word)
                } else {
                    html += escape(String(word))
                }
                index = end
                continue
            }
            if character.isNumber {
                let end = rest.firstIndex { !($0.isNumber || $0 == "." || $0 == "_") } ?? code.endIndex
                span("kn", code[index..<end])
                index = end
                continue
            }
            html += escape(String(character))
            index = code.index(after: index)
        }
        return html
    }
}
