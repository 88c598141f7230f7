internal import SwiftParser
internal import SwiftSyntax
import SkeinBasics

/// One Swift file of a consumer, parsed, with the text edits rules want to make to it.
///
/// Rules record edits as byte ranges of the original text and the text to put there; the new
/// file is the original with those ranges spliced. Everything outside an edited token stays
/// byte-for-byte as it was, trivia and comments included, which re-printing a rewritten tree
/// would also give but only after building a new tree for every edit.
final class SwiftFile {
    let path: String
    let text: String
    let tree: SourceFileSyntax
    private(set) var edits: [TextEdit] = []
    /// `identifierTokens(named:)` by name, since several rules and the resolver ask for the same.
    private var tokensByName: [String: [TokenSyntax]] = [:]
    /// `mayBind(_:)` by name.
    private var bindsByName: [String: Bool] = [:]
    private(set) lazy var converter = SourceLocationConverter(fileName: path, tree: tree)

    struct TextEdit: Hashable {
        var start: Int
        var end: Int
        var replacement: String
    }

    init(path: String, text: String) {
        self.path = path
        self.text = text
        PlanProgress.at("reading", path)
        limitExceeded = SwiftParseLimits.violation(in: text)
        var source = limitExceeded == nil ? text : ""
        // The parser copies the bytes into the tree's arena; the buffer need not outlive the call.
        self.tree = source.withUTF8 { Parser.parse(source: $0, maximumNestingLevel: SwiftParseLimits.maximumNestingLevel) }
    }

    /// Which of `SwiftParseLimits` the file exceeds; such a file is not parsed at all.
    let limitExceeded: String?

    var parsesCleanly: Bool { limitExceeded == nil && !tree.hasError }

    /// 1-based line of a node's first token (after its leading trivia).
    func line(of node: some SyntaxProtocol) -> Int {
        converter.location(for: node.positionAfterSkippingLeadingTrivia).line
    }

    func location(of node: some SyntaxProtocol) -> SkeinBasics.SourceLocation {
        SkeinBasics.SourceLocation(path: path, line: line(of: node))
    }

    /// Replaces a token's text (never its trivia). Returns false when an edit of that token with
    /// other text was already recorded.
    @discardableResult
    func replace(_ token: TokenSyntax, with replacement: String) -> Bool {
        replace(from: token.positionAfterSkippingLeadingTrivia.utf8Offset,
                to: token.endPositionBeforeTrailingTrivia.utf8Offset, with: replacement)
    }

    /// Replaces a node's text from its first token's start to its last token's end.
    @discardableResult
    func replace(_ node: some SyntaxProtocol, with replacement: String) -> Bool {
        replace(from: node.positionAfterSkippingLeadingTrivia.utf8Offset,
                to: node.endPositionBeforeTrailingTrivia.utf8Offset, with: replacement)
    }

    @discardableResult
    func replace(from start: Int, to end: Int, with replacement: String) -> Bool {
        // Edits are kept in order of their start and never overlap: only the neighbours of the
        // new one's place need a look.
        var low = 0, high = edits.count
        while low < high {
            let middle = (low + high) / 2
            if edits[middle].start < start { low = middle + 1 } else { high = middle }
        }
        for neighbour in [low - 1, low] where edits.indices.contains(neighbour) {
            let existing = edits[neighbour]
            if existing.start < end && start < existing.end || (existing.start == start && existing.end == end) {
                return existing.start == start && existing.end == end && existing.replacement == replacement
            }
        }
        edits.insert(TextEdit(start: start, end: end, replacement: replacement), at: low)
        return true
    }

    /// The text with every recorded edit applied, or nil when nothing changes.
    func editedText() -> String? {
        guard !edits.isEmpty else { return nil }
        // One pass from the start: the text between edits, then each replacement.
        let original = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(original.count + edits.reduce(0) { $0 + $1.replacement.utf8.count })
        var copied = 0
        for edit in edits {
            bytes += original[copied..<edit.start]
            bytes += edit.replacement.utf8
            copied = edit.end
        }
        bytes += original[copied...]
        let result = String(decoding: bytes, as: UTF8.self)
        return result == text ? nil : result
    }
}

extension String {
    /// Whether the text contains `word` with no identifier character right before or after it.
    func containsWord(_ word: String) -> Bool {
        var found = false
        forEachWord(word) { _ in
            found = true
            return false
        }
        return found
    }

    /// Whether the text contains `needle`, as `contains` compares (by canonical equivalence).
    /// Scans the bytes when both are ASCII, where that is the same answer without bridging the
    /// text to a Foundation string.
    func containsText(_ needle: String) -> Bool {
        let plainNeedle = needle.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0A && $0 != 0x0D }
        var text = self
        let found: Bool? = text.withUTF8 { haystack -> Bool? in
            guard plainNeedle, !haystack.contains(where: { $0 >= 0x80 }) else { return nil }
            let bytes = Array(needle.utf8)
            guard let first = bytes.first, haystack.count >= bytes.count else { return false }
            var index = 0
            let last = haystack.count - bytes.count
            while index <= last {
                if haystack[index] == first, haystack[index..<index + bytes.count].elementsEqual(bytes) { return true }
                index += 1
            }
            return false
        }
        return found ?? contains(needle)
    }

    /// Calls `body` with the UTF-8 offset of each occurrence of `word` on identifier boundaries,
    /// until it returns false. Scans the bytes in place, without copying the text.
    func forEachWord(_ word: String, _ body: (Int) -> Bool) {
        let needle = Array(word.utf8)
        guard let first = needle.first else { return }
        var text = self
        text.withUTF8 { haystack in
            guard haystack.count >= needle.count else { return }
            var index = 0
            let last = haystack.count - needle.count
            while index <= last {
                if haystack[index] == first {
                    var matches = true
                    for offset in 1..<max(needle.count, 1) where haystack[index + offset] != needle[offset] {
                        matches = false
                        break
                    }
                    if matches {
                        let before = index == 0 ? UInt8(ascii: " ") : haystack[index - 1]
                        let after = index + needle.count == haystack.count ? UInt8(ascii: " ") : haystack[index + needle.count]
                        if !before.isIdentifierByte, !after.isIdentifierByte, !body(index) { return }
                    }
                }
                index += 1
            }
        }
    }
}

extension SwiftFile {
    /// The identifier tokens spelled `name` (or `` `name` ``), found from the text's bytes
    /// rather than by walking every token of the tree.
    func identifierTokens(named name: String) -> [TokenSyntax] {
        if let known = tokensByName[name] { return known }
        let found = tokens(at: wordOffsets(name)).filter { token in
            if case .identifier = token.tokenKind { return token.identifierText == name }
            return false
        }
        tokensByName[name] = found
        return found
    }

    /// The UTF-8 offsets of `name` on identifier boundaries in the text, ascending.
    func wordOffsets(_ name: String) -> [Int] {
        var offsets: [Int] = []
        text.forEachWord(name) { offset in
            offsets.append(offset)
            return true
        }
        return offsets
    }

    /// The syntax tokens at the given text offsets (ascending).
    func tokens(at offsets: [Int]) -> [TokenSyntax] {
        var tokens: [TokenSyntax] = []
        if !offsets.isEmpty { SwiftFile.collectTokens(Syntax(tree), at: offsets[...], into: &tokens) }
        return tokens
    }

    /// The tokens covering ascending offsets, found in one descent that visits only the nodes
    /// containing an offset: a node's children are looked at once for all the offsets in it,
    /// not once per offset as `token(at:)` would.
    private static func collectTokens(_ node: Syntax, at offsets: ArraySlice<Int>, into tokens: inout [TokenSyntax]) {
        if let token = node.as(TokenSyntax.self) {
            tokens.append(token)
            return
        }
        var rest = offsets
        for child in node.children(viewMode: .sourceAccurate) {
            guard let first = rest.first else { return }
            let end = child.endPosition.utf8Offset
            guard first < end else { continue }
            let split = rest.firstIndex { $0 >= end } ?? rest.endIndex
            collectTokens(child, at: rest[..<split], into: &tokens)
            rest = rest[split...]
        }
    }

    /// Parents under which a name refers to something or names a type, never binds a local.
    static let nonBindingParents: Set<SyntaxKind> = [
        .declReferenceExpr, .identifierType, .memberType, .structDecl, .classDecl, .enumDecl, .protocolDecl, .actorDecl,
        .typeAliasDecl,
    ]

    /// Whether some token spelled `name` may introduce a binding (a pattern, parameter, closure
    /// parameter or capture): every occurrence that is not a plain reference, a type or a type's
    /// declared name counts, so a file where this is false binds no local of that name.
    func mayBind(_ name: String) -> Bool {
        if let known = bindsByName[name] { return known }
        let binds = identifierTokens(named: name).contains { token in
            token.parent.map { !SwiftFile.nonBindingParents.contains($0.kind) } ?? false
        }
        bindsByName[name] = binds
        return binds
    }
}

extension UInt8 {
    var isIdentifierByte: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A)
            || self == 0x5F || self >= 0x80
    }
}

/// `track_id` → `trackId`: the property name `JSONDecoder`'s `convertFromSnakeCase` maps a
/// column to.
func camelCase(_ name: String) -> String {
    let parts = name.split(separator: "_", omittingEmptySubsequences: true)
    guard parts.count > 1 else { return name }
    return String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
}

/// The text of an identifier token without backticks.
extension TokenSyntax {
    var identifierText: String {
        let raw = text
        if raw.hasPrefix("`"), raw.hasSuffix("`"), raw.count >= 2 { return String(raw.dropFirst().dropLast()) }
        return raw
    }

    /// The new text for a renamed identifier, keeping backticks when the old token had them.
    func renamed(_ name: String) -> String {
        text.hasPrefix("`") ? "`\(name)`" : name
    }
}
