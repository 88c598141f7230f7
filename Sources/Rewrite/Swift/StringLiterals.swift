internal import SwiftSyntax

/// Finds string literals whose text is exactly a value, or starts with it followed by `/`, and
/// rewrites just that part. Never a substring elsewhere in the literal.
enum StringLiterals {
    /// Plain string literals (no interpolation) of a file, with their content token.
    static func plain(in file: SwiftFile) -> [(literal: StringLiteralExprSyntax, content: TokenSyntax)] {
        var found: [(StringLiteralExprSyntax, TokenSyntax)] = []
        for token in file.tree.tokens(viewMode: .sourceAccurate) {
            guard case .stringSegment = token.tokenKind,
                  let segment = token.parent?.as(StringSegmentSyntax.self),
                  let literal = segment.parent?.parent?.as(StringLiteralExprSyntax.self) else { continue }
            // A literal's first segment: a plain literal has only this one; an interpolated one
            // may still start with a location (`"gs://bucket/plays/\(day)"`).
            guard literal.segments.first?.id == Syntax(segment).id else { continue }
            found.append((literal, token))
        }
        return found
    }

    /// Replaces `from` with `to` in literals equal to `from` or starting with `from/`. With
    /// `prefix: false` only whole literals match. Returns how many literals changed.
    @discardableResult
    static func replace(_ from: String, with to: String, in file: SwiftFile, prefix: Bool = true) -> Int {
        var changed = 0
        for (literal, content) in plain(in: file) {
            let text = content.text
            let whole = literal.segments.count == 1 && text == from
            let boundary = prefix && text.hasPrefix(from) && text.dropFirst(from.count).first == "/"
                && !(to.hasPrefix(from + "/") && text.hasPrefix(to))
            guard whole || boundary else { continue }
            if file.replace(content, with: to + text.dropFirst(from.count)) { changed += 1 }
        }
        return changed
    }

    /// Plain literals whose whole text is `value`.
    static func equal(to value: String, in file: SwiftFile) -> [StringLiteralExprSyntax] {
        plain(in: file).filter { $0.literal.segments.count == 1 && $0.content.text == value }.map(\.literal)
    }
}
