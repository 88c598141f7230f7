/// The Swift files of a repo whose declarations are not indexed yet (not parsed yet, or parsed
/// for rewriting but not indexed), with what each may declare, so that looking up a name
/// indexes only the files that may declare or extend it.
///
/// One scan of each file's bytes (comments and strings included, so it can only over-report)
/// notes the names written right after a declaring keyword (`struct`, `class`, `enum`,
/// `protocol`, `actor`, `typealias`, `associatedtype`), the components of an extension's
/// extended type (`extension Outer.Name`), whether a `:` or `<` follows them, and the names after
/// `func`, `var` and `let`. A look-up is then a dictionary read, not a search of every pending
/// file for the name.
struct PendingSources {
    /// A file as source text, or already parsed.
    enum Entry {
        case source(SourceFile)
        case parsed(SwiftFile)

        var text: String {
            switch self {
            case .source(let file): file.text
            case .parsed(let file): file.text
            }
        }
    }

    private var files: [Entry] = []
    private var taken: [Bool]
    private var remaining: Int
    /// Name → files that write it after a declaring keyword (true: a conformance follows).
    private var declared: [String: [(file: Int, conformance: Bool)]] = [:]
    /// Name → files whose extensions name it (true: a conformance follows).
    private var extended: [String: [(file: Int, conformance: Bool)]] = [:]
    /// Name → files whose extensions name it after a `.` (`extension Outer.Name`).
    private var extendedNested: [String: [Int]] = [:]
    /// Name → files that write it after `func`, `var` or `let`.
    private var values: [String: [Int]] = [:]

    init(_ files: [SourceFile]) {
        taken = []
        remaining = 0
        for file in files { append(.source(file)) }
    }

    mutating func append(_ entry: Entry) {
        let position = files.count
        files.append(entry)
        taken.append(false)
        remaining += 1
        PendingSources.scanDeclarations(entry.text) { name, kind, conformance in
            switch kind {
            case .type: declared[name, default: []].append((position, conformance))
            case .extended: extended[name, default: []].append((position, conformance))
            case .extendedNested:
                extended[name, default: []].append((position, conformance))
                extendedNested[name, default: []].append(position)
            case .value: values[name, default: []].append(position)
            }
        }
    }

    var isEmpty: Bool { remaining == 0 }

    /// Removes and returns the files where `simpleName` may be declared (`extensions`: or
    /// extended; `conformance`: only where a conformance or generic clause follows the name),
    /// keeping only those `alsoWanted` accepts.
    mutating func take(_ simpleName: String, extensions: Bool, conformance: Bool = false,
                       where alsoWanted: (Entry) -> Bool = { _ in true }) -> [Entry] {
        var candidates = declared[simpleName] ?? []
        if extensions { candidates += extended[simpleName] ?? [] }
        return take(candidates.filter { !conformance || $0.conformance }.map(\.file), where: alsoWanted)
    }

    /// Removes and returns the files that extend a type named `simpleName` nested in another.
    mutating func takeNestedExtensions(_ simpleName: String) -> [Entry] {
        take(extendedNested[simpleName] ?? [])
    }

    /// Removes and returns the files that may declare a function or variable `name`.
    mutating func takeValues(_ name: String) -> [Entry] {
        take(values[name] ?? [])
    }

    /// Removes and returns every file that was already parsed.
    mutating func takeParsed() -> [Entry] {
        take(files.indices.filter { if case .parsed = files[$0] { true } else { false } })
    }

    private mutating func take(_ positions: [Int], where alsoWanted: (Entry) -> Bool = { _ in true }) -> [Entry] {
        var found: [Entry] = []
        for position in Set(positions).sorted() where !taken[position] && alsoWanted(files[position]) {
            taken[position] = true
            remaining -= 1
            found.append(files[position])
        }
        return found
    }

    /// `UInt8.isIdentifierByte` as a table: the scan looks at every byte of every file.
    private static let identifierBytes: [Bool] = (0...255).map { UInt8($0).isIdentifierByte }

    /// What a word declares when it is one of the keywords looked for.
    private static func keyword(_ word: UnsafeBufferPointer<UInt8>) -> DeclarationKind? {
        func equals(_ literal: StaticString) -> Bool {
            guard literal.utf8CodeUnitCount == word.count else { return false }
            let letters = literal.utf8Start
            for position in 0..<word.count where letters[position] != word[position] { return false }
            return true
        }
        switch word.count {
        case 3: return equals("var") || equals("let") ? .value : nil
        case 4: return equals("enum") ? .type : equals("func") ? .value : nil
        case 5: return equals("class") || equals("actor") ? .type : nil
        case 6: return equals("struct") ? .type : nil
        case 8: return equals("protocol") ? .type : nil
        case 9: return equals("extension") ? .extended : equals("typealias") ? .type : nil
        case 14: return equals("associatedtype") ? .type : nil
        default: return nil
        }
    }

    enum DeclarationKind { case type, extended, extendedNested, value }

    /// Calls `body` for each name a text may declare: after a declaring keyword, each component
    /// of the type an `extension` names, or after `func`, `var` or `let`.
    static func scanDeclarations(_ text: String, _ body: (_ name: String, _ kind: DeclarationKind, _ conformance: Bool) -> Void) {
        var text = text
        let isIdentifier = PendingSources.identifierBytes
        text.withUTF8 { bytes in
            let count = bytes.count
            /// The identifier starting at `start`, as its end offset.
            func identifierEnd(from start: Int) -> Int {
                var end = start
                while end < count, isIdentifier[Int(bytes[end])] { end += 1 }
                return end
            }
            func skipBlanks(from start: Int) -> Int {
                var position = start
                while position < count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
                return position
            }
            func followedByConformance(_ end: Int) -> Bool {
                let next = skipBlanks(from: end)
                return next < count && (bytes[next] == UInt8(ascii: ":") || bytes[next] == UInt8(ascii: "<"))
            }
            var index = 0
            while index < count {
                guard isIdentifier[Int(bytes[index])], index == 0 || !isIdentifier[Int(bytes[index - 1])] else {
                    index += 1
                    continue
                }
                let end = identifierEnd(from: index)
                // Every keyword looked for is 3 to 14 lowercase letters long.
                guard end - index >= 3, end - index <= 14, bytes[index] >= UInt8(ascii: "a"), bytes[index] <= UInt8(ascii: "z") else {
                    index = end
                    continue
                }
                guard let kind = keyword(UnsafeBufferPointer(rebasing: bytes[index..<end])) else {
                    index = end
                    continue
                }
                var nameStart = skipBlanks(from: end)
                func name(_ start: Int, _ end: Int) -> String {
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                }
                guard kind == .extended else {
                    // The declared name.
                    guard nameStart < count, isIdentifier[Int(bytes[nameStart])] else {
                        index = end
                        continue
                    }
                    let nameEnd = identifierEnd(from: nameStart)
                    body(name(nameStart, nameEnd), kind, kind == .type && followedByConformance(nameEnd))
                    index = nameEnd
                    continue
                }
                // The extended type's components `A.B.C`.
                var names: [(start: Int, end: Int)] = []
                while nameStart < count, isIdentifier[Int(bytes[nameStart])] {
                    let nameEnd = identifierEnd(from: nameStart)
                    names.append((nameStart, nameEnd))
                    guard nameEnd < count, bytes[nameEnd] == UInt8(ascii: ".") else { break }
                    nameStart = nameEnd + 1
                }
                let conformance = names.last.map { followedByConformance($0.end) } ?? false
                for (position, component) in names.enumerated() {
                    body(name(component.start, component.end), position == 0 ? .extended : .extendedNested,
                         conformance && position == names.count - 1)
                }
                index = names.last?.end ?? end
            }
        }
    }
}
