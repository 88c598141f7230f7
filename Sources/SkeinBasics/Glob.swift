/// Path globs as in `.skein.yaml` `exclude:` and rule `files:`: `*` within a path component,
/// `**` across components, `?` one character, `[abc]` a class. Matched against `/`-separated
/// paths relative to a repo root.
public struct Glob: Hashable, Sendable, CustomStringConvertible {
    public let pattern: String
    private let parts: [Substring]

    public init(_ pattern: String) {
        self.pattern = pattern
        var trimmed = Substring(pattern)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        if trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        // A pattern ending in `/` names a directory and everything below it.
        var split = trimmed.split(separator: "/", omittingEmptySubsequences: true)
        if trimmed.hasSuffix("/") { split.append("**") }
        self.parts = split
    }

    public var description: String { pattern }

    public func matches(_ path: String) -> Bool {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        // A pattern without `/` matches a file name at any depth, as in .gitignore.
        if parts.count == 1, parts[0] != "**" {
            return components.last.map { Glob.matchComponent(parts[0], $0) } ?? false
        }
        return Glob.match(parts[...], components[...])
    }

    private static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let head = pattern.first else { return path.isEmpty }
        if head == "**" {
            let rest = pattern.dropFirst()
            var remaining = path
            while true {
                if match(rest, remaining) { return true }
                if remaining.isEmpty { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let component = path.first, matchComponent(head, component) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    static func matchComponent(_ pattern: Substring, _ text: Substring) -> Bool {
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var pi = 0, ti = 0, starP = -1, starT = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "[", let (matched, next) = matchClass(p, pi, t[ti]) {
                if matched { pi = next; ti += 1; continue }
            } else if pi < p.count, p[pi] == "?" || p[pi] == t[ti], p[pi] != "*" {
                pi += 1; ti += 1; continue
            }
            if pi < p.count, p[pi] == "*" {
                starP = pi; starT = ti; pi += 1; continue
            }
            if starP >= 0 {
                pi = starP + 1; starT += 1; ti = starT; continue
            }
            return false
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    private static func matchClass(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count, p[i] == "!" || p[i] == "^" { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < p.count, p[i] != "]" || first {
            first = false
            if i + 2 < p.count, p[i + 1] == "-", p[i + 2] != "]" {
                if p[i] <= c && c <= p[i + 2] { matched = true }
                i += 3
            } else {
                if p[i] == c { matched = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (matched != negate, i + 1)
    }
}
