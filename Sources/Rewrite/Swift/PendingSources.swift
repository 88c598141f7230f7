/// The Swift files of a repo that are not parsed yet, with what each may declare, so that
/// looking up a type parses only the files that may declare or extend it.
///
/// One scan of each file's bytes (comments and strings included, so it can only over-report)
/// notes the names written right after a declaring keyword (`struct`, `class`, `enum`,
/// `protocol`, `actor`, `typealias`, `associatedtype`) and the components of an extension's
/// extended type (`extension Outer.Name`), and whether a `:` or `<` follows them. A look-up is
/// then a dictionary read, not a search of every pending file for the name.
struct PendingSources {
    private var files: [SourceFile]
    private var taken: [Bool]
    private var remaining: Int
    /// Name → files that write it after a declaring keyword (true: a conformance follows).
    private var declared: [String: [(file: Int, conformance: Bool)]] = [:]
    /// Name → files whose extensions name it (true: a conformance follows).
    private var extended: [String: [(file: Int, conformance: Bool)]] = [:]

    init(_ files: [SourceFile]) {
        self.files = files
        taken = Array(repeating: false, count: files.count)
        remaining = files.count
        for position in files.indices {
            PendingSources.scanDeclarations(files[position].text) { name, isExtension, conformance in
                if isExtension {
                    extended[name, default: []].append((position, conformance))
                } else {
                    declared[name, default: []].append((position, conformance))
                }
            }
        }
    }

    var isEmpty: Bool { remaining == 0 }

    /// Removes and returns the files where `simpleName` may be declared (`extensions`: or
    /// extended; `conformance`: only where a conformance or generic clause follows the name),
    /// keeping only those `alsoWanted` accepts.
    mutating func take(_ simpleName: String, extensions: Bool, conformance: Bool = false,
                       where alsoWanted: (SourceFile) -> Bool = { _ in true }) -> [SourceFile] {
        var candidates = declared[simpleName] ?? []
        if extensions { candidates += extended[simpleName] ?? [] }
        var found: [SourceFile] = []
        for (position, followedByConformance) in candidates.sorted(by: { $0.file < $1.file })
        where !taken[position] && (!conformance || followedByConformance) && alsoWanted(files[position]) {
            taken[position] = true
            remaining -= 1
            found.append(files[position])
        }
        return found
    }

    private static let declaringKeywords: [[UInt8]] = ["struct", "class", "enum", "protocol", "actor", "typealias", "associatedtype"]
        .map { Array($0.utf8) }
    private static let extensionKeyword = Array("extension".utf8)

    /// Calls `body` for each name a text may declare: after a declaring keyword, or each
    /// component of the type an `extension` names.
    static func scanDeclarations(_ text: String, _ body: (_ name: String, _ isExtension: Bool, _ conformance: Bool) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            let count = bytes.count
            /// The identifier starting at `start`, as its end offset.
            func identifierEnd(from start: Int) -> Int {
                var end = start
                while end < count, bytes[end].isIdentifierByte { end += 1 }
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
                guard bytes[index].isIdentifierByte, index == 0 || !bytes[index - 1].isIdentifierByte else {
                    index += 1
                    continue
                }
                let end = identifierEnd(from: index)
                let word = UnsafeBufferPointer(rebasing: bytes[index..<end])
                let isExtension = word.elementsEqual(extensionKeyword)
                guard isExtension || declaringKeywords.contains(where: { word.elementsEqual($0) }) else {
                    index = end
                    continue
                }
                // The declared name, or the extended type's components `A.B.C`.
                var nameStart = skipBlanks(from: end)
                var names: [(start: Int, end: Int)] = []
                while nameStart < count, bytes[nameStart].isIdentifierByte {
                    let nameEnd = identifierEnd(from: nameStart)
                    names.append((nameStart, nameEnd))
                    guard isExtension, nameEnd < count, bytes[nameEnd] == UInt8(ascii: ".") else { break }
                    nameStart = nameEnd + 1
                }
                let conformance = names.last.map { followedByConformance($0.end) } ?? false
                for (position, name) in names.enumerated() {
                    body(String(decoding: UnsafeBufferPointer(rebasing: bytes[name.start..<name.end]), as: UTF8.self),
                         isExtension, conformance && position == names.count - 1)
                }
                index = names.last?.end ?? end
            }
        }
    }
}
