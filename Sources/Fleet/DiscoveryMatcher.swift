#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SkeinBasics

/// What discovery looks for in a consumer's files for one dataset, and the byte-level test of
/// each hit. Files are searched as bytes (`BytePattern`); only a hit's own line is looked at more
/// closely, so files that do not mention the dataset cost one scan each.
struct DatasetNeedles: Sendable {
    /// Every id the dataset was known by.
    let names: [String]
    /// Its current and former locations.
    let locations: [String]
    /// The `swift.record` type.
    let record: String?

    /// The same, ready to search (built once, used on every file of every mirror).
    let namePatterns: [BytePattern]
    let locationPatterns: [BytePattern]
    let recordPattern: BytePattern?

    init(names: [String], locations: [String], record: String?) {
        self.names = names.filter { !$0.isEmpty }
        self.locations = locations.filter { !$0.isEmpty }
        self.record = record.flatMap { $0.isEmpty ? nil : $0 }
        namePatterns = self.names.map(BytePattern.init)
        locationPatterns = self.locations.map(BytePattern.init)
        recordPattern = self.record.map(BytePattern.init)
    }

    init(_ transition: DatasetTransition) {
        var locations: [String] = []
        for location in transition.history.map(\.location) + [transition.new.location] where !locations.contains(location) {
            locations.append(location)
        }
        self.init(names: transition.names, locations: locations, record: transition.record)
    }
}

/// How a file is read when judging a hit.
enum FileFlavor {
    case swift, yaml, json, data, properties

    /// The flavor of a path, or nil for files discovery does not read.
    init?(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name == ".env" || name.hasPrefix(".env.") { self = .properties; return }
        guard let dot = name.lastIndex(of: ".") else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "swift": self = .swift
        case "yaml", "yml", "toml": self = .yaml
        case "json": self = .json
        case "jsonl", "ndjson", "csv": self = .data
        case "properties", "env", "conf", "cfg", "ini": self = .properties
        default: return nil
        }
    }
}

enum Matcher {
    typealias Bytes = UnsafeRawBufferPointer

    /// The 1-based lines of `bytes` that reference the dataset, each with what matched.
    static func lines(in bytes: Bytes, flavor: FileFlavor, needles: DatasetNeedles) -> [Int] {
        guard bytes.count > 0 else { return [] }
        var offsets: [Int] = []
        func search(_ pattern: BytePattern, accept: (Int, Int) -> Bool) {
            var start = 0
            while start < bytes.count {
                guard let offset = pattern.firstOffset(in: bytes, from: start) else { return }
                if accept(offset, offset + pattern.bytes.count) {
                    offsets.append(offset)
                    // One hit per line is enough.
                    start = lineEnd(bytes, from: offset) + 1
                } else {
                    start = offset + 1
                }
            }
        }
        for location in needles.locationPatterns {
            search(location) { start, end in
                locationBoundary(bytes, start: start, end: end) && !isComment(bytes, at: start, flavor: flavor)
            }
        }
        for name in needles.namePatterns {
            search(name) { start, end in
                idBoundary(bytes, start: start, end: end, flavor: flavor) && !isComment(bytes, at: start, flavor: flavor)
            }
        }
        if flavor == .swift, let record = needles.recordPattern {
            search(record) { start, end in
                identifierBoundary(bytes, start: start, end: end) && !isComment(bytes, at: start, flavor: flavor)
            }
        }
        guard !offsets.isEmpty else { return [] }
        offsets.sort()
        var result: [Int] = []
        var line = 1, position = 0
        for offset in offsets {
            line += newlines(bytes, from: position, to: offset)
            position = offset
            if result.last != line { result.append(line) }
        }
        return result
    }

    static func contains(_ bytes: Bytes, _ pattern: BytePattern) -> Bool {
        pattern.firstOffset(in: bytes, from: 0) != nil
    }

    // MARK: - Boundaries

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
            || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    /// Bytes that continue a path segment: `.../v1` is not followed by them when it is a
    /// whole location or a directory prefix (`.../v10` and `.../v1.csv` are other paths).
    static func isPathByte(_ byte: UInt8) -> Bool {
        isWordByte(byte) || "-.~%+@*".utf8.contains(byte)
    }

    /// A location, exactly or as a prefix ending on a `/` boundary.
    static func locationBoundary(_ bytes: Bytes, start: Int, end: Int) -> Bool {
        if start > 0 {
            let before = bytes[start - 1]
            if isPathByte(before) || before == UInt8(ascii: "/") || before == UInt8(ascii: ":") { return false }
        }
        if end < bytes.count {
            let after = bytes[end]
            return after == UInt8(ascii: "/") || !isPathByte(after)
        }
        return true
    }

    /// A record type as a whole Swift identifier.
    static func identifierBoundary(_ bytes: Bytes, start: Int, end: Int) -> Bool {
        (start == 0 || !isWordByte(bytes[start - 1])) && (end == bytes.count || !isWordByte(bytes[end]))
    }

    /// A dataset id standing alone: a Swift string literal that is exactly the id, or a whole
    /// config key or value. A version suffix (`plays.v1`, `plays_v1`, `plays@1`) is part of
    /// the id.
    static func idBoundary(_ bytes: Bytes, start: Int, end: Int, flavor: FileFlavor) -> Bool {
        var end = end
        // Optional version suffix.
        if end < bytes.count {
            var cursor = end
            if bytes[cursor] == UInt8(ascii: "@") {
                cursor += 1
            } else if cursor + 1 < bytes.count, bytes[cursor] == UInt8(ascii: ".") || bytes[cursor] == UInt8(ascii: "_"),
                      bytes[cursor + 1] == UInt8(ascii: "v") {
                cursor += 2
            }
            if cursor > end {
                let digits = cursor
                while cursor < bytes.count, bytes[cursor] >= 0x30, bytes[cursor] <= 0x39 { cursor += 1 }
                if cursor > digits { end = cursor }
            }
        }
        let quote = { (byte: UInt8) in byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") }
        let before: UInt8? = start > 0 ? bytes[start - 1] : nil
        let after: UInt8? = end < bytes.count ? bytes[end] : nil
        if flavor == .swift {
            return before == UInt8(ascii: "\"") && after == UInt8(ascii: "\"")
        }
        if let before, quote(before) { return after == before }
        if let before, isPathByte(before) || before == UInt8(ascii: "/") { return false }
        if let after, isPathByte(after) || after == UInt8(ascii: "/") || quote(after) { return false }
        // Unquoted: the whole key or value of its line.
        var cursor = start - 1
        var skipped = false
        while cursor >= 0, bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t") { cursor -= 1; skipped = true }
        if cursor >= 0 {
            let byte = bytes[cursor]
            let opening = ":=[,{".utf8.contains(byte) || byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "-") && skipped)
            if !opening { return false }
        }
        cursor = end
        while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t") { cursor += 1 }
        guard cursor < bytes.count else { return true }
        return ":=,]}#\r\n".utf8.contains(bytes[cursor])
    }

    // MARK: - Lines and comments

    static func lineStart(_ bytes: Bytes, before offset: Int) -> Int {
        var cursor = offset
        while cursor > 0, bytes[cursor - 1] != UInt8(ascii: "\n") { cursor -= 1 }
        return cursor
    }

    static func lineEnd(_ bytes: Bytes, from offset: Int) -> Int {
        guard let base = bytes.baseAddress, offset < bytes.count else { return bytes.count }
        guard let found = memchr(base + offset, 0x0a, bytes.count - offset) else { return bytes.count }
        return base.distance(to: UnsafeRawPointer(found))
    }

    static func newlines(_ bytes: Bytes, from start: Int, to end: Int) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var count = 0
        var cursor = start
        while cursor < end, let found = memchr(base + cursor, 0x0a, end - cursor) {
            count += 1
            cursor = base.distance(to: UnsafeRawPointer(found)) + 1
        }
        return count
    }

    /// True when the hit at `offset` sits in a comment: a comment line, or after a comment
    /// marker outside quotes on its line.
    static func isComment(_ bytes: Bytes, at offset: Int, flavor: FileFlavor) -> Bool {
        let start = lineStart(bytes, before: offset)
        var first = start
        while first < offset, bytes[first] == UInt8(ascii: " ") || bytes[first] == UInt8(ascii: "\t") { first += 1 }
        let lead = bytes[first]
        switch flavor {
        case .swift:
            if lead == UInt8(ascii: "*") { return true }
        case .yaml, .properties:
            if lead == UInt8(ascii: "#") || lead == UInt8(ascii: ";") || lead == UInt8(ascii: "!") { return true }
        case .json, .data:
            break
        }
        var quote: UInt8?
        var cursor = first
        while cursor < offset {
            let byte = bytes[cursor]
            if let open = quote {
                if byte == UInt8(ascii: "\\") { cursor += 2; continue }
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || (byte == UInt8(ascii: "'") && flavor != .swift) {
                quote = byte
            } else if flavor == .swift, byte == UInt8(ascii: "/"), cursor + 1 < offset,
                      bytes[cursor + 1] == UInt8(ascii: "/") || bytes[cursor + 1] == UInt8(ascii: "*") {
                return true
            } else if flavor == .yaml, byte == UInt8(ascii: "#"), cursor == first || bytes[cursor - 1] == UInt8(ascii: " ") {
                return true
            }
            cursor += 1
        }
        return false
    }
}

/// A needle searched for with `memchr` on its rarest byte, then compared in place: the
/// rare-byte heuristic of fast grep tools, which skips most of a file at memchr speed.
struct BytePattern: Sendable {
    let bytes: [UInt8]
    /// Index of the byte to look for first.
    let anchor: Int

    init(_ needle: String) {
        bytes = Array(needle.utf8)
        var best = 0
        for index in bytes.indices where BytePattern.ranks[Int(bytes[index])] < BytePattern.ranks[Int(bytes[best])] { best = index }
        anchor = best
    }

    static let ranks: [Int] = (0...255).map { rank(UInt8($0)) }

    /// How common a byte is in source and config text (lower is rarer).
    static func rank(_ byte: UInt8) -> Int {
        let common = Array("etaoinsrhldcumfpgwybvkxjqz".utf8)
        if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") { return 200 }
        var lower = byte
        if byte >= 0x41 && byte <= 0x5a { lower = byte + 0x20 }
        if let index = common.firstIndex(of: lower) {
            // Capitals are rarer than their lower-case letters.
            return (common.count - index) * 4 + (lower == byte ? 100 : 0)
        }
        if byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "\"") { return 90 }
        return 10
    }

    /// The offset of the first occurrence at or after `start`.
    func firstOffset(in haystack: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = haystack.baseAddress, !bytes.isEmpty else { return nil }
        let count = haystack.count
        let target = Int32(bytes[anchor])
        var cursor = start + anchor
        return bytes.withUnsafeBytes { needle -> Int? in
            while cursor < count - (bytes.count - 1 - anchor) {
                guard let found = memchr(base + cursor, target, count - cursor) else { return nil }
                let hit = base.distance(to: UnsafeRawPointer(found))
                let candidate = hit - anchor
                if candidate + bytes.count <= count, memcmp(base + candidate, needle.baseAddress!, bytes.count) == 0 {
                    return candidate
                }
                cursor = hit + 1
            }
            return nil
        }
    }
}
