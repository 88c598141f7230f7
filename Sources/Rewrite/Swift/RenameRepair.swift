import Foundation
import SkeinBasics

/// A compiler error `type 'T' has no member 'name'` (or `value of type 'T' ...`) after a rewrite:
/// where it points, relative to the worktree.
public struct MissingMember: Hashable, Sendable {
    public var path: String
    public var line: Int
    /// 1-based UTF-8 column of the member's name, as the compiler gives it.
    public var column: Int
    public var type: String
    public var member: String

    public init(path: String, line: Int, column: Int, type: String, member: String) {
        self.path = path
        self.line = line
        self.column = column
        self.type = type
        self.member = member
    }
}

extension Migrator {
    /// The one repair round after a build that failed on references the rewrite missed: each
    /// `T has no member 'old'` where this migration renamed `old` on `T` (or a record field
    /// named `old`) becomes an edit of the token the compiler points at, when its text is `old`,
    /// in one of `files` (the files the rewrite wrote, as it wrote them; others are left).
    /// Returns the whole new text of each repaired file and a line per repair.
    public func repairs(_ missing: [MissingMember], in files: [FileEdit]) -> (edits: [FileEdit], notes: [String]) {
        var byFile: [String: [(offset: Int, old: String, new: String, line: Int)]] = [:]
        var texts: [String: [UInt8]] = [:]
        for file in files { texts[file.path] = Array(file.newText.utf8) }
        for diagnostic in Set(missing).sorted(by: { ($0.path, $0.line, $0.column) < ($1.path, $1.line, $1.column) }) {
            guard let new = newName(of: diagnostic.member, on: diagnostic.type) else { continue }
            guard let bytes = texts[diagnostic.path],
                  let offset = Self.offset(line: diagnostic.line, column: diagnostic.column, in: bytes),
                  Self.isWord(diagnostic.member, at: offset, in: bytes) else { continue }
            byFile[diagnostic.path, default: []].append((offset, diagnostic.member, new, diagnostic.line))
        }
        var edits: [FileEdit] = [], notes: [String] = []
        for (path, repairs) in byFile.sorted(by: { $0.key < $1.key }) {
            var bytes = texts[path]!
            for repair in repairs.sorted(by: { $0.offset > $1.offset }) {
                bytes.replaceSubrange(repair.offset..<repair.offset + repair.old.utf8.count, with: Array(repair.new.utf8))
                notes.append("\(path):\(repair.line): `\(repair.old)` → `\(repair.new)` repaired after the build (the compiler named it)")
            }
            edits.append(FileEdit(path: path, newText: String(decoding: bytes, as: UTF8.self)))
        }
        return (edits, notes.sorted())
    }

    /// The new name of a member this migration renamed, when `type` is (or may be) its owner.
    private func newName(of member: String, on type: String) -> String? {
        let simple = String(type.prefix { $0 != "<" && $0 != "?" }.split(separator: ".").last ?? "")
        for change in migration.changes {
            switch change {
            case let .renameMember(owner, from, to, _) where from == member && SymbolIndex.simpleName(owner) == simple:
                return to
            case let .renameField(_, from, to):
                if member == from { return to }
                if member == camelCase(from), camelCase(from) != from { return camelCase(to) }
            default: continue
            }
        }
        return nil
    }

    private static func offset(line: Int, column: Int, in bytes: [UInt8]) -> Int? {
        guard line >= 1, column >= 1 else { return nil }
        var current = 1, start = 0
        while current < line {
            guard let newline = bytes[start...].firstIndex(of: 10) else { return nil }
            start = newline + 1
            current += 1
        }
        let offset = start + column - 1
        return offset < bytes.count ? offset : nil
    }

    private static func isWord(_ word: String, at offset: Int, in bytes: [UInt8]) -> Bool {
        let needle = Array(word.utf8)
        guard offset + needle.count <= bytes.count, Array(bytes[offset..<offset + needle.count]) == needle else { return false }
        let before = offset == 0 ? UInt8(ascii: " ") : bytes[offset - 1]
        let after = offset + needle.count == bytes.count ? UInt8(ascii: " ") : bytes[offset + needle.count]
        return !before.isIdentifierByte && !after.isIdentifierByte
    }
}
