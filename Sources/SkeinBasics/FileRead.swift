import Foundation

/// Reads whole files with plain `read(2)`.
///
/// Foundation's readers on Linux (`String(contentsOfFile:)`, `Data(contentsOf:)`,
/// `FileManager.contents(atPath:)`) leak a 4 KiB buffer for every file whose size is 0: an empty
/// test log, an empty `cgroup.procs`, an empty source file. A fleet-wide run reads several such
/// files per consumer, so its memory grew with the fleet; these readers keep it flat.
public enum FileRead {
    /// The file's bytes, or nil when it cannot be opened or read (missing, a folder, no access).
    /// Files whose reported size is 0 (procfs, cgroupfs) are read to their end all the same.
    public static func data(_ path: String) -> Data? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) != S_IFDIR else { return nil }
        var data = Data(capacity: max(0, Int(status.st_size)))
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return data }
            data.append(buffer, count: count)
        }
    }

    /// The file's text, or nil when it cannot be read or is not valid UTF-8 (as
    /// `String(contentsOfFile:encoding: .utf8)` would).
    public static func text(_ path: String) -> String? {
        data(path).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// The last `bytes` of a file (a log: where a long build's crash report or last errors
    /// are), as text; empty when it cannot be read.
    public static func tail(_ path: String, bytes: Int = 1 << 20) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
    }
}

/// Writes all of `bytes` to `descriptor`, again after a short or interrupted write; false when
/// a write fails (the other end of a pipe gone, a full disk).
public func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { return false }
        offset += count
    }
    return true
}
