@_spi(RawSyntax) internal import SwiftSyntax

/// An identifier token of a file, found on the parser's raw tree with what surrounds it.
///
/// Descending the raw layout builds no syntax nodes (building them is what a look-up in the
/// tree mostly costs), so thousands of occurrences can be classified by their parents cheaply;
/// only those whose meaning depends on their context are looked up again as syntax nodes.
struct RawOccurrence {
    /// Byte range of the token's text (backticks included).
    var start: Int
    var end: Int
    var text: String
    var parent: SyntaxKind
    var grandparent: SyntaxKind?
    /// The parent is what comes before the `.` of a member access (`Name.member`).
    var isMemberAccessBase: Bool
    /// No type body, function body, closure or accessor encloses it.
    var isTopLevel: Bool

    var identifierText: String {
        text.hasPrefix("`") && text.hasSuffix("`") && text.count >= 2 ? String(text.dropFirst().dropLast()) : text
    }
}

extension SwiftFile {
    /// The identifier tokens spelled `name` (or `` `name` ``), from the text's bytes and one
    /// descent of the raw tree.
    func rawOccurrences(of name: String) -> [RawOccurrence] {
        let offsets = wordOffsets(name)
        var found: [RawOccurrence] = []
        if !offsets.isEmpty {
            var path: [(raw: RawSyntax, child: Int)] = []
            SwiftFile.collectRaw(tree.raw, start: 0, offsets: offsets[...], path: &path, bodies: 0, into: &found)
        }
        return found.filter { $0.identifierText == name }
    }

    /// `bodies`: how many type bodies, function bodies, closures and accessors enclose `raw`.
    private static func collectRaw(
        _ raw: RawSyntax, start: Int, offsets: ArraySlice<Int>, path: inout [(raw: RawSyntax, child: Int)], bodies: Int,
        into found: inout [RawOccurrence]
    ) {
        if let token = raw.tokenView {
            guard token.rawKind == .identifier, let parent = path.last else { return }
            let textStart = start + token.leadingTriviaByteLength
            let grandparent = path.count >= 2 ? path[path.count - 2] : nil
            var isMemberAccessBase = false
            if let grandparent, grandparent.raw.kind == .memberAccessExpr, let siblings = grandparent.raw.layoutView?.children {
                // The base comes before the period; the member's name after it.
                isMemberAccessBase = !siblings.prefix(grandparent.child).contains { $0?.tokenView?.rawKind == .period }
            }
            found.append(RawOccurrence(
                start: textStart, end: textStart + token.textByteLength, text: String(syntaxText: token.rawText),
                parent: parent.raw.kind, grandparent: grandparent?.raw.kind, isMemberAccessBase: isMemberAccessBase,
                isTopLevel: bodies == 0))
            return
        }
        guard let layout = raw.layoutView else { return }
        let inside: Int
        switch raw.kind {
        case .memberBlock, .codeBlock, .closureExpr, .accessorBlock: inside = bodies + 1
        default: inside = bodies
        }
        var rest = offsets
        var childStart = start
        for (position, child) in layout.children.enumerated() {
            guard let first = rest.first else { return }
            guard let child else { continue }
            let childEnd = childStart + child.byteLength
            if first < childEnd {
                let split = rest.firstIndex { $0 >= childEnd } ?? rest.endIndex
                path.append((raw, position))
                collectRaw(child, start: childStart, offsets: rest[..<split], path: &path, bodies: inside, into: &found)
                path.removeLast()
                rest = rest[split...]
            }
            childStart = childEnd
        }
    }
}
