import Foundation
#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#else
import Darwin
private let systemRead = Darwin.read
#endif

/// Reads files below a root that untrusted code may have written to, without ever leaving it or
/// waiting on it: every path component is opened with `O_NOFOLLOW` relative to the one before
/// (a symbolic link anywhere in the path is refused, never followed), only regular files are read
/// (a FIFO, socket or device is refused by `lstat` before anything opens it, and the open itself
/// is non-blocking should the entry change in between), and a file larger than the cap is
/// refused rather than read.
public enum ConfinedFile {
    /// What is at a path.
    public enum Contents: Sendable, Equatable {
        /// A regular file's bytes, and whether any execute bit is set.
        case file(Data, executable: Bool)
        /// No file is there (nothing, or a directory).
        case missing
    }

    /// The bytes of the regular file at `relative` below `root`, or `.missing` when no such
    /// entry exists. Throws, naming the path, when the path passes through or ends at anything
    /// but directories and a regular file, leaves the root, or the file is over `limit` bytes.
    public static func read(root: String, relative: String, limit: Int) throws(InputError) -> Contents {
        let components = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !relative.hasPrefix("/"), !components.isEmpty, !components.contains(where: { $0 == ".." || $0 == "." }) else {
            throw InputError("\(relative): not a path inside the worktree")
        }
        var directory = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw InputError("\(root): cannot open the worktree: \(errorText())") }
        defer { close(directory) }
        for (position, component) in components.dropLast().enumerated() {
            let next = openat(directory, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            if next < 0 {
                if errno == ENOENT { return .missing }
                let prefix = components[...position].joined(separator: "/")
                throw InputError("\(relative): \(prefix) is not a directory (a symbolic link is never followed)")
            }
            close(directory)
            directory = next
        }
        let name = components[components.count - 1]
        var status = stat()
        guard fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return .missing }
            throw InputError("\(relative): cannot be read: \(errorText())")
        }
        // A directory where a file was is no file there: the caller sees the files inside it.
        if (status.st_mode & S_IFMT) == S_IFDIR { return .missing }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw InputError("\(relative): \(kind(status.st_mode)), not a regular file; it is not read")
        }
        let file = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard file >= 0 else { throw InputError("\(relative): cannot be read: \(errorText())") }
        defer { close(file) }
        guard fstat(file, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw InputError("\(relative): changed into \(kind(status.st_mode)) while being read; it is not read")
        }
        guard Int(status.st_size) <= limit else {
            throw InputError("\(relative): \(status.st_size) bytes, over the \(limit) bytes skein reads from a worktree")
        }
        var data = Data()
        data.reserveCapacity(Int(status.st_size))
        var offset = 0
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        // A file that grew past the cap since `fstat` is refused, not cut.
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(file, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw InputError("\(relative): cannot be read: \(errorText())") }
            if count == 0 { break }
            offset += count
            guard offset <= limit else {
                throw InputError("\(relative): over the \(limit) bytes skein reads from a worktree")
            }
            data.append(contentsOf: buffer[0..<count])
        }
        return .file(data, executable: status.st_mode & 0o111 != 0)
    }

    /// Every entry below `root` that is neither a directory, a regular file nor a symbolic link
    /// (FIFOs, sockets, devices), found with `lstat` only, skipping the named top-level folders;
    /// at most `limit` entries are looked at, beyond which the walk throws.
    public static func specialFiles(root: String, skipping: Set<String> = [], limit: Int = 1_000_000) throws(InputError) -> [String] {
        var found: [String] = []
        var seen = 0
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : root + "/" + relative
            guard let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name == "." || name == ".." { continue }
                if relative.isEmpty && skipping.contains(name) { continue }
                seen += 1
                guard seen <= limit else { throw InputError("\(root): more than \(limit) entries; not read") }
                let child = relative.isEmpty ? name : relative + "/" + name
                var status = stat()
                guard lstat(root + "/" + child, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: pending.append(child)
                case S_IFREG, S_IFLNK: continue
                default: found.append(child)
                }
            }
        }
        return found.sorted()
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFDIR: "a directory"
        default: "not a regular file"
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
