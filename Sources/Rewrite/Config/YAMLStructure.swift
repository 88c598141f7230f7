import Yams

/// YAML 1.2 rules libyaml lets through, checked on the text so such a file is invalid rather
/// than edited: a node over several lines less indented than its parent, a comment glued to a
/// value, text after `...`, a directive inside a document.
extension YAMLLocator {
    /// Text after a document end marker (`... text`), and a `%` directive inside a document
    /// that no `...` ended.
    func checkDocumentMarkers() throws(ConfigParseError) {
        var inDocument = false
        var inBlockScalar = false
        for (number, start) in lineStarts.enumerated() {
            let end = Bytes.lineEnd(bytes, from: start)
            var first = start
            if number == 0, Bytes.hasBOM(bytes) { first = 3 }
            let line = bytes[first..<end]
            if line.starts(with: "...".utf8), line.count == 3 || line[first + 3] == Bytes.space || line[first + 3] == Bytes.tab {
                var index = first + 3
                while index < end, bytes[index] == Bytes.space || bytes[index] == Bytes.tab { index += 1 }
                if index < end, bytes[index] != UInt8(ascii: "#") {
                    throw ConfigParseError(line: number + 1, "text after the document end marker `...`")
                }
                inDocument = false
                inBlockScalar = false
                continue
            }
            if line.starts(with: "---".utf8) { inDocument = true; inBlockScalar = false; continue }
            if line.first == UInt8(ascii: "%"), inDocument, !inBlockScalar {
                throw ConfigParseError(line: number + 1, "a directive inside a document (a document before it must end with `...`)")
            }
            let content = line.drop { $0 == Bytes.space || $0 == Bytes.tab }
            if !content.isEmpty, content.first != UInt8(ascii: "#") {
                inDocument = true
                // A `%` line at column 0 may be the text of a top-level block scalar.
                if let last = content.last(where: { $0 != Bytes.space && $0 != Bytes.tab }), last == UInt8(ascii: "|") || last == UInt8(ascii: ">") {
                    inBlockScalar = true
                }
            }
        }
    }

    /// Bounds the nesting before Yams composes the file: its composer recurses once per level
    /// and libyaml stops only at 1,000 (which overflowed a 256 KiB stack; measured in a debug
    /// build, 1,000 levels of Yams alone fit in 1 MiB, and the fleet's threads have 8). Counted
    /// on the text: block levels by a stack of indentations (an indentless sequence may share
    /// its parent's column, hence twice), flow levels by brackets where a node starts. A cheap
    /// early bound, not a parser: text that fools it (a quote in a block scalar) still meets
    /// libyaml's 1,000 and the conversion's own limit.
    func checkNesting() throws(ConfigParseError) {
        let limit = ConfigLimits.maximumDepth
        var indents: [Int] = []
        var flow = 0
        var quote: UInt8?
        for (number, start) in lineStarts.enumerated() {
            let end = Bytes.lineEnd(bytes, from: start)
            let first = number == 0 && Bytes.hasBOM(bytes) ? 3 : start
            if quote == nil, flow == 0 {
                var index = first
                while index < end, bytes[index] == Bytes.space { index += 1 }
                if index < end, bytes[index] != UInt8(ascii: "#") {
                    let column = index - first
                    while let top = indents.last, top >= column { indents.removeLast() }
                    indents.append(column)
                    // `- - x`, `? - x`: each indicator opens a level on the same line.
                    while index + 1 < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "?"),
                          bytes[index + 1] == Bytes.space {
                        index += 2
                        while index < end, bytes[index] == Bytes.space { index += 1 }
                        indents.append(index - first)
                    }
                }
            }
            var index = first
            while index < end {
                let byte = bytes[index]
                if let open = quote {
                    if open == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") { index += 2; continue }
                    if byte == open {
                        if open == UInt8(ascii: "'"), index + 1 < end, bytes[index + 1] == open { index += 2; continue }
                        quote = nil
                    }
                    index += 1
                    continue
                }
                switch byte {
                case UInt8(ascii: "#") where index == first || bytes[index - 1] == Bytes.space || bytes[index - 1] == Bytes.tab:
                    index = end
                    continue
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    if startsNode(at: index, lineStart: first) { quote = byte }
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    if flow > 0 || startsNode(at: index, lineStart: first) { flow += 1 }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    if flow > 0 { flow -= 1 }
                default:
                    break
                }
                if 2 * indents.count + flow > limit { throw ConfigLimits.depthError(line: number + 1) }
                index += 1
            }
            if 2 * indents.count + flow > limit { throw ConfigLimits.depthError(line: number + 1) }
        }
    }

    /// Whether a node may start at an offset of a line: first on it, or after an indicator.
    private func startsNode(at offset: Int, lineStart: Int) -> Bool {
        var index = offset - 1
        while index >= lineStart, bytes[index] == Bytes.space || bytes[index] == Bytes.tab { index -= 1 }
        guard index >= lineStart else { return true }
        return "[{,:-?".utf8.contains(bytes[index])
    }

    /// A flow collection or quoted scalar that goes on over several lines inside a block
    /// collection whose entries start at `column` must indent each further line past it, with
    /// spaces.
    func checkContinuation(_ node: Node, column: Int) throws(ConfigParseError) {
        let mark: Mark?
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .singleQuoted || scalar.style == .doubleQuoted else { return }
            mark = scalar.mark
        case .sequence(let sequence): mark = sequence.mark
        case .mapping(let mapping): mark = mapping.mark
        case .alias: return
        }
        let start = skipProperties(offset(of: mark))
        guard start < bytes.count, let end = flowEnd(from: start) else { return }
        let first = line(start), last = line(end)
        guard last > first else { return }
        for number in (first + 1)...last {
            let lineStart = lineStarts[number - 1]
            let lineEnd = Bytes.lineEnd(bytes, from: lineStart)
            var index = lineStart
            while index < lineEnd, bytes[index] == Bytes.space { index += 1 }
            let blank = bytes[index..<lineEnd].allSatisfy { $0 == Bytes.space || $0 == Bytes.tab }
            if !blank, index - lineStart <= column {
                throw ConfigParseError(line: number, "a line of a value over several lines is not indented past its parent")
            }
        }
    }

    /// The offset of the last character of a flow collection or quoted scalar starting at
    /// `start`, or nil when it is something else or does not end.
    func flowEnd(from start: Int) -> Int? {
        var index = start
        var depth = 0
        var quote: UInt8?
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if open == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == open {
                    if open == UInt8(ascii: "'"), index + 1 < bytes.count, bytes[index + 1] == open {
                        index += 2
                        continue
                    }
                    quote = nil
                    if depth == 0 { return index }
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                // A quote starts a scalar only where a node starts, not inside a plain one.
                if index == start || depth > 0 && isNodeStart(index) { quote = byte }
                else if depth == 0 { return nil }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if index == start || depth > 0 { depth += 1 } else { return nil }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return index }
                if depth < 0 { return nil }
            case UInt8(ascii: "#") where index > 0 && [Bytes.space, Bytes.tab, Bytes.newline].contains(bytes[index - 1]):
                while index < bytes.count, bytes[index] != Bytes.newline { index += 1 }
                continue
            default:
                if index == start { return nil }
            }
            index += 1
        }
        return nil
    }

    /// Whether a flow node may start at an offset: after `[`, `{`, `,`, `:` or blanks.
    private func isNodeStart(_ offset: Int) -> Bool {
        var index = offset - 1
        while index >= 0, [Bytes.space, Bytes.tab, Bytes.newline, Bytes.carriageReturn].contains(bytes[index]) { index -= 1 }
        guard index >= 0 else { return true }
        return [UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "?")].contains(bytes[index])
    }

    /// A block scalar without an indentation indicator takes its indentation from its first
    /// line with text; blank lines before it may not hold more spaces than that (YAML 1.2, 8.1.1.1).
    func checkBlockScalarIndentation(_ node: Node, column: Int) throws(ConfigParseError) {
        guard case .scalar(let scalar) = node, scalar.style == .literal || scalar.style == .folded else { return }
        let header = skipProperties(offset(of: scalar.mark))
        let headerEnd = Bytes.lineEnd(bytes, from: header)
        guard !bytes[header..<headerEnd].contains(where: Bytes.isDigit) else { return }
        var widest = 0
        for number in line(header)..<lineStarts.count {
            let start = lineStarts[number]
            let end = Bytes.lineEnd(bytes, from: start)
            var index = start
            while index < end, bytes[index] == Bytes.space { index += 1 }
            if index == end {
                widest = max(widest, index - start)
                continue
            }
            let indent = index - start
            if indent > column, widest > indent {
                throw ConfigParseError(line: number + 1, "a block scalar's leading blank lines are indented more than its text")
            }
            return
        }
    }

    /// A comment must be separated from a quoted scalar or a block scalar header by a blank.
    func checkGluedComment(_ scalar: Node.Scalar) throws(ConfigParseError) {
        let start = skipProperties(offset(of: scalar.mark))
        guard start < bytes.count else { return }
        var after: Int?
        switch scalar.style {
        case .singleQuoted, .doubleQuoted:
            if let end = flowEnd(from: start) { after = end + 1 }
        case .literal, .folded:
            var index = start + 1
            while index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
                || Bytes.isDigit(bytes[index]) { index += 1 }
            after = index
        default:
            return
        }
        if let after, after < bytes.count, bytes[after] == UInt8(ascii: "#") {
            throw ConfigParseError(line: line(after), "a comment must be separated from the value by a blank")
        }
    }
}
