import CGit2
import Foundation

/// A unified diff of two texts, as `git diff` would print it for `path`.
public func unifiedDiff(old: String, new: String, path: String) -> String {
    _ = libgit2Initialized
    var patch: OpaquePointer?
    let oldBytes = Array(old.utf8), newBytes = Array(new.utf8)
    let status = oldBytes.withUnsafeBufferPointer { oldBuffer in
        newBytes.withUnsafeBufferPointer { newBuffer in
            git_patch_from_buffers(
                &patch, oldBuffer.baseAddress, oldBuffer.count, "a/" + path,
                newBuffer.baseAddress, newBuffer.count, "b/" + path, nil)
        }
    }
    guard status == 0, let patch else { return "" }
    defer { git_patch_free(patch) }
    var buffer = git_buf()
    defer { git_buf_dispose(&buffer) }
    guard git_patch_to_buf(&buffer, patch) == 0, let pointer = buffer.ptr else { return "" }
    return String(cString: pointer)
}

extension Repository {
    /// Writes the regular files of `commit`'s tree into `directory` (symlinks and submodules are
    /// left out): a throwaway copy for `--dry-run`, made without touching any reference.
    public func export(_ commit: ObjectID, to directory: String) throws {
        for entry in try files(in: commit) where entry.kind == .file || entry.kind == .executable {
            let target = (directory as NSString).appendingPathComponent(entry.path)
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try blob(entry.blob).write(to: URL(fileURLWithPath: target))
            if entry.kind == .executable { chmod(target, 0o755) }
        }
    }
}
