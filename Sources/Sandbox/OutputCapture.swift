import Foundation
import SkeinBasics

/// The last `capacity` bytes of a stream, in memory fixed when it is made.
struct TailBuffer {
    let capacity: Int
    private var storage: [UInt8]
    /// Where the next byte goes.
    private var end = 0
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = [UInt8](repeating: 0, count: capacity)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard capacity > 0, !bytes.isEmpty else { return }
        var source = bytes
        if source.count >= capacity { source = UnsafeRawBufferPointer(rebasing: source[(source.count - capacity)...]) }
        storage.withUnsafeMutableBytes { target in
            let first = min(source.count, capacity - end)
            target.baseAddress!.advanced(by: end).copyMemory(from: source.baseAddress!, byteCount: first)
            if first < source.count {
                target.baseAddress!.copyMemory(from: source.baseAddress!.advanced(by: first), byteCount: source.count - first)
            }
        }
        end = (end + source.count) % capacity
        count = min(capacity, count + source.count)
    }

    /// The bytes held, oldest first.
    var bytes: [UInt8] {
        let start = (end - count + capacity) % max(1, capacity)
        if start + count <= capacity { return Array(storage[start..<start + count]) }
        return Array(storage[start...] + storage[..<end])
    }
}

/// Receives a process's output as lines of at most `lineLimit` bytes (the rest of a longer line
/// is passed over), so that what reads them holds bounded memory whatever the output's shape:
/// one line of gigabytes costs no more than a short one.
final class OutputLines: @unchecked Sendable {
    static let lineLimit = 16 << 10
    /// The start of a line whose end has not come yet.
    private let partial = Locked<[UInt8]>([])
    private let wants: (UnsafeRawBufferPointer) -> Bool
    private let line: (Substring) -> Void

    /// `wants` sees each line's bytes first; only the lines it wants are decoded for `line`.
    init(wants: @escaping (UnsafeRawBufferPointer) -> Bool, line: @escaping (Substring) -> Void) {
        self.wants = wants
        self.line = line
        partial.withLock { $0.reserveCapacity(Self.lineLimit) }
    }

    func feed(_ bytes: UnsafeRawBufferPointer) {
        partial.withLock { partial in
            var rest = bytes
            while !rest.isEmpty {
                guard let newline = memchr(rest.baseAddress!, 10, rest.count) else {
                    Self.keep(rest, in: &partial)
                    return
                }
                let length = rest.baseAddress!.distance(to: UnsafeRawPointer(newline))
                let piece = UnsafeRawBufferPointer(rebasing: rest[0..<length])
                if partial.isEmpty {
                    deliver(UnsafeRawBufferPointer(rebasing: piece.prefix(Self.lineLimit)))
                } else {
                    Self.keep(piece, in: &partial)
                    partial.withUnsafeBytes { deliver($0) }
                    partial.removeAll(keepingCapacity: true)
                }
                rest = UnsafeRawBufferPointer(rebasing: rest[(length + 1)...])
            }
        }
    }

    /// The last line, when the output did not end with a newline.
    func finish() {
        partial.withLock { partial in
            if !partial.isEmpty { partial.withUnsafeBytes { deliver($0) } }
            partial.removeAll()
        }
    }

    private static func keep(_ bytes: UnsafeRawBufferPointer, in partial: inout [UInt8]) {
        let room = lineLimit - partial.count
        if room > 0 { partial.append(contentsOf: bytes.prefix(room)) }
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty, wants(bytes) else { return }
        line(Substring(String(decoding: bytes, as: UTF8.self)))
    }
}

/// Writes output to the log, keeping at most `limit` bytes: the head, and at the end the last
/// `tailBytes` after a line saying how much was left out. Memory is fixed: the tail is kept in
/// ring buffers, never in a growing copy.
final class LogWriter: Sendable {
    private let handle: FileHandle?
    private let headLimit: Int
    private let limit: Int
    private let tailBytes: Int
    private let lines: OutputLines?
    private let state: Locked<State>

    private struct State {
        var written = 0
        var total = 0
        var held: TailBuffer   // the last tailBytes past the head, for the log
        var tail: TailBuffer   // the last tailKept bytes, for the caller
        var finished = false
    }

    init(sink: LogSink?, tailKept: Int, lines: OutputLines? = nil) throws(SandboxError) {
        self.lines = lines
        if let sink {
            let directory = (sink.path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw SandboxError(.setupFailed, "cannot make log folder \(directory): \(error)")
            }
            // Opened in place: `createFile` writes a temporary file and renames it, two more
            // entries made in a log folder that holds every consumer's logs.
            let descriptor = open(sink.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw SandboxError(.setupFailed, "cannot write log \(sink.path): \(String(cString: strerror(errno)))")
            }
            self.handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            limit = max(0, sink.limit)
            tailBytes = min(max(0, sink.tailBytes), limit)
        } else {
            handle = nil
            limit = 0
            tailBytes = 0
        }
        headLimit = limit - tailBytes
        state = Locked(State(held: TailBuffer(capacity: tailBytes), tail: TailBuffer(capacity: tailKept)))
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        state.withLock { state in
            guard !state.finished else { return }
            state.total += bytes.count
            var rest = bytes
            if state.written < headLimit {
                let head = UnsafeRawBufferPointer(rebasing: rest.prefix(headLimit - state.written))
                try? handle?.write(contentsOf: Data(head))
                state.written += head.count
                rest = UnsafeRawBufferPointer(rebasing: rest[head.count...])
            }
            if !rest.isEmpty { state.held.append(rest) }
            state.tail.append(bytes)
            lines?.feed(bytes)
        }
    }

    func note(_ text: String) {
        state.withLock { state in
            guard !state.finished else { return }
            try? handle?.write(contentsOf: Data(text.utf8))
        }
    }

    func finish() -> (tail: String, total: Int, truncated: Bool) {
        state.withLock { state in
            state.finished = true
            lines?.finish()
            let truncated = state.total > limit && handle != nil
            if truncated {
                let omitted = state.total - state.written - state.held.count
                try? handle?.write(contentsOf: Data("\n[skein: log cut at \(limit) bytes; \(omitted) bytes of output left out]\n".utf8))
            }
            try? handle?.write(contentsOf: Data(state.held.bytes))
            try? handle?.close()
            return (String(decoding: state.tail.bytes, as: UTF8.self), state.total, truncated)
        }
    }
}
