/// Bounds on what skein asks SwiftParser to read, so that a consumer's Swift file costs bounded
/// stack, memory and time. A file over a bound is not parsed: it is reported for a person (the
/// attention line names the file and the bound) and never edited.
enum SwiftParseLimits {
    /// Nesting of brackets, braces and parentheses the parser follows; deeper input becomes a
    /// parse error rather than deeper recursion (SwiftParser's own default in release builds).
    static let maximumNestingLevel = 256

    /// The longest run of directly nested `[` (whitespace and comments between them allowed).
    /// SwiftParser looks ahead at each one for a collection type and an inline-array type
    /// alike, so the time such a run takes doubles with each bracket: 24 took half a minute
    /// here, 300 would take longer than anyone waits. Real code nests three or four.
    static let maximumBracketRun = 12

    /// Files larger than this are not parsed (the workspace already skips files over 4 MiB;
    /// this is the same bound, kept here so the parser's inputs are bounded on their own).
    static let maximumBytes = 4 << 20

    /// Why `text` is not to be parsed, or nil when it is within the bounds.
    static func violation(in text: String) -> String? {
        let utf8 = text.utf8
        if utf8.count > maximumBytes {
            return "larger than the \(maximumBytes >> 20) MiB skein parses"
        }
        let (run, depth) = nesting(utf8)
        if depth > maximumNestingLevel {
            return "nests brackets \(depth) deep, more than the \(maximumNestingLevel) skein's Swift parser follows"
        }
        if run > maximumBracketRun {
            return "nests \(run) `[` directly, more than the \(maximumBracketRun) skein's Swift parser reads in bounded time"
        }
        return nil
    }

    /// The longest run of `[` separated only by whitespace and comments, and the deepest nesting
    /// of `(`, `[` and `{`, outside string literals and comments. A rough lexer: enough to keep
    /// ordinary strings and comments from counting.
    static func nesting(_ utf8: String.UTF8View) -> (bracketRun: Int, depth: Int) {
        var longest = 0, current = 0, depth = 0, deepest = 0
        var bytes = utf8.makeIterator()
        var pending: UInt8? = nil
        func next() -> UInt8? {
            if let byte = pending { pending = nil; return byte }
            return bytes.next()
        }
        while let byte = next() {
            switch byte {
            case UInt8(ascii: "["):
                current += 1
                longest = max(longest, current)
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "("), UInt8(ascii: "{"):
                current = 0
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                current = 0
                depth = max(0, depth - 1)
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "/"):
                guard let following = next() else { return (longest, deepest) }
                if following == UInt8(ascii: "/") {
                    while let inner = next(), inner != UInt8(ascii: "\n") {}
                } else if following == UInt8(ascii: "*") {
                    var previous: UInt8 = 0
                    while let inner = next() {
                        if previous == UInt8(ascii: "*") && inner == UInt8(ascii: "/") { break }
                        previous = inner
                    }
                } else {
                    current = 0
                    pending = following
                }
            case UInt8(ascii: "\""):
                current = 0
                var escaped = false
                while let inner = next() {
                    if escaped { escaped = false; continue }
                    if inner == UInt8(ascii: "\\") { escaped = true; continue }
                    if inner == UInt8(ascii: "\"") { break }
                }
            default:
                current = 0
            }
        }
        return (longest, deepest)
    }
}
