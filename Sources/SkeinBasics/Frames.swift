import Foundation

/// Messages over a pipe, one after another: a decimal byte count and a newline, then that many
/// bytes. A rewrite worker serves many consumers on the same pipes this way, one request frame
/// in and one answer frame out per consumer.
public enum Frame {
    /// Writes `payload` as one frame to `descriptor`; false when the other end is gone.
    public static func write(_ payload: Data, to descriptor: Int32) -> Bool {
        Data("\(payload.count)\n".utf8).withUnsafeBytes { writeAll($0, to: descriptor) }
            && payload.withUnsafeBytes { writeAll($0, to: descriptor) }
    }
}

/// Reads frames from a descriptor, a frame larger than `limit` drained and reported by size
/// rather than kept.
public final class FrameReader {
    public enum Item: Equatable, Sendable {
        case frame(Data)
        /// A frame of this many bytes, over the limit; its bytes were read and dropped.
        case tooLarge(Int)
        /// The other end closed between frames.
        case end
        /// Not a frame: a bad header, or the end in the middle of one.
        case malformed
    }

    private let descriptor: Int32
    private let limit: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)

    public init(descriptor: Int32, limit: Int) {
        self.descriptor = descriptor
        self.limit = limit
    }

    public func next() -> Item {
        var digits = 0
        var count = 0
        while true {
            guard let byte = nextByte() else { return digits == 0 ? .end : .malformed }
            if byte == UInt8(ascii: "\n") { break }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 18 else { return .malformed }
            count = count * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0 else { return .malformed }
        if count > limit {
            var left = count
            while left > 0 {
                if start == buffer.count, !fill() { return .malformed }
                let taken = min(left, buffer.count - start)
                start += taken
                left -= taken
            }
            return .tooLarge(count)
        }
        var payload = Data(capacity: count)
        while payload.count < count {
            if start == buffer.count, !fill() { return .malformed }
            let taken = min(count - payload.count, buffer.count - start)
            payload.append(contentsOf: buffer[start..<(start + taken)])
            start += taken
        }
        return .frame(payload)
    }

    private func nextByte() -> UInt8? {
        if start == buffer.count, !fill() { return nil }
        defer { start += 1 }
        return buffer[start]
    }

    /// Reads what the pipe has into the buffer; false at its end.
    private func fill() -> Bool {
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            buffer = Array(chunk[0..<count])
            start = 0
            return true
        }
    }
}
