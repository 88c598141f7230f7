import Foundation
import SkeinBasics
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A consumer's worktree as the rewrites see it: the text files skein may read and edit.
/// Symbolic links are never followed (a link is listed as skipped and left as it is), paths
/// matching the consumer's `exclude` globs are never edited, and binary, non-UTF-8 or
/// over-size files are skipped with a reason.
public struct Workspace: Sendable {
    public static let maximumFileSize = 4 << 20
    static let ignoredDirectories: Set<String> = [".git", ".build", ".swiftpm", "node_modules"]

    public let root: String
    public let exclude: [Glob]

    public init(root: String, exclude: [Glob] = []) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        self.exclude = exclude
    }

    /// The worktree's files: Swift sources, other text files, and what was skipped.
    public func read() -> (swift: [SourceFile], other: [SourceFile], skipped: [SkippedFile]) {
        var swift: [SourceFile] = [], other: [SourceFile] = [], skipped: [SkippedFile] = []
        walk("") { relative, kind in
            if exclude.contains(where: { $0.matches(relative) }) { return }
            switch kind {
            case .symlink:
                skipped.append(SkippedFile(path: relative, reason: "symbolic link, not followed"))
            case .file(let size):
                guard Workspace.isCandidate(relative) else { return }
                guard size <= Workspace.maximumFileSize else {
                    skipped.append(SkippedFile(path: relative, reason: "larger than \(Workspace.maximumFileSize >> 20) MiB"))
                    return
                }
                guard let data = FileRead.data(root + "/" + relative) else {
                    skipped.append(SkippedFile(path: relative, reason: "cannot be read"))
                    return
                }
                if data.withUnsafeBytes({ $0.contains(0) }) {
                    skipped.append(SkippedFile(path: relative, reason: "binary file"))
                    return
                }
                guard let text = String(validating: data, as: UTF8.self) else {
                    skipped.append(SkippedFile(path: relative, reason: "not UTF-8 text"))
                    return
                }
                let file = SourceFile(path: relative, text: text)
                if relative.hasSuffix(".swift") { swift.append(file) } else { other.append(file) }
            }
        }
        return (swift, other, skipped)
    }

    /// Writes edits over the files in place. Refuses any path that is, or passes through, a
    /// symbolic link, or that leaves the worktree. Files are rewritten rather than replaced by a
    /// renamed copy: the worktrees skein writes are its own, made from a commit and thrown away
    /// (a write cut short leaves nothing the branch or the ledger depends on), and keeping the
    /// inode spares the file system a new one per edited file.
    public func write(_ edits: [FileEdit]) throws -> [String] {
        var written: [String] = []
        for edit in edits {
            let path = try safePath(edit.path)
            guard Workspace.overwrite(path, with: edit.newText) else {
                throw InputError("\(edit.path): not a regular file in the worktree, or cannot be written; not written")
            }
            written.append(edit.path)
        }
        return written
    }

    /// Truncates and writes an existing regular file, never following a link.
    private static func overwrite(_ path: String, with contents: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, ftruncate(descriptor, 0) == 0 else { return false }
        var contents = contents
        let written = contents.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: descriptor) }
        return written && movesPastSecond(status.st_mtim.tv_sec, descriptor)
    }

    /// The Swift driver takes a source whose modification time has the same whole second as the
    /// one its last build recorded for unchanged, whatever the bytes: a file rewritten within
    /// the second it was checked out and built in would keep its old object code, and the tests
    /// after would run the old program. A rewritten file's time is moved into the next second.
    private static func movesPastSecond(_ previous: Int, _ descriptor: Int32) -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        guard status.st_mtim.tv_sec <= previous else { return true }
        // UTIME_OMIT (a macro the Glibc module does not import) keeps the access time.
        var times = [timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2), timespec(tv_sec: previous + 1, tv_nsec: 0)]
        return futimens(descriptor, &times) == 0
    }

    /// The absolute path of a worktree-relative path, checked to stay inside the worktree
    /// without passing through a symbolic link.
    public func safePath(_ relative: String) throws -> String {
        let components = relative.split(separator: "/")
        guard !relative.hasPrefix("/"), !components.contains(where: { $0 == ".." || $0 == "." }) else {
            throw InputError("\(relative): path leaves the worktree")
        }
        var current = root
        for component in components.dropLast() {
            current += "/" + component
            var status = stat()
            guard lstat(current, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
                throw InputError("\(relative): passes through \(current.dropFirst(root.count + 1)), which is not a directory")
            }
        }
        return root + "/" + relative
    }

    enum Kind { case file(size: Int), symlink }

    private func walk(_ relative: String, _ visit: (String, Kind) -> Void) {
        let directory = relative.isEmpty ? root : root + "/" + relative
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() {
            let child = relative.isEmpty ? name : relative + "/" + name
            var status = stat()
            guard lstat(directory + "/" + name, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFLNK: visit(child, .symlink)
            case S_IFDIR:
                if Workspace.ignoredDirectories.contains(name) { continue }
                walk(child, visit)
            case S_IFREG: visit(child, .file(size: Int(status.st_size)))
            default: continue
            }
        }
    }

    /// Files a rewrite may concern: Swift sources and the config and data formats of SPEC §3.
    static func isCandidate(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name == ".env" || name.hasPrefix(".env.") || name.hasSuffix(".env") { return true }
        guard let dot = name.lastIndex(of: ".") else { return false }
        let suffix = name[name.index(after: dot)...].lowercased()
        return ["swift", "yaml", "yml", "json", "jsonl", "ndjson", "toml", "properties", "csv"].contains(suffix)
    }
}
