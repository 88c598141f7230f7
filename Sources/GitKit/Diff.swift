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
                &patch, oldBuffer.baseAddress, oldBuffer.count, path,
                newBuffer.baseAddress, newBuffer.count, path, nil)
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

extension Repository {
    /// The tree the index would commit (written to the object database, no ref moves).
    public func stagedTree() throws(GitError) -> ObjectID {
        var index: OpaquePointer?
        try check("open index", path) { git_repository_index(&index, handle) }
        defer { git_index_free(index) }
        var tree = git_oid()
        try check("write tree", path) { git_index_write_tree(&tree, index) }
        return ObjectID(tree)
    }

    /// The tree of a commit, or nil for an unborn HEAD.
    public func treeOfHead() throws(GitError) -> ObjectID? {
        guard !isHeadUnborn else { return nil }
        return try commit(try resolve("HEAD")).tree
    }

    /// Writes the blobs of `tree` at `paths` into `directory` (paths missing from the tree are
    /// skipped): the staged content for a pre-commit check.
    public func export(tree: ObjectID, paths: [String], to directory: String) throws {
        var oid = tree.raw
        var treeHandle: OpaquePointer?
        try check("read tree", path) { git_tree_lookup(&treeHandle, handle, &oid) }
        defer { git_tree_free(treeHandle) }
        for relative in paths {
            var entry: OpaquePointer?
            guard git_tree_entry_bypath(&entry, treeHandle, relative) == 0 else { continue }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB, git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK else { continue }
            let target = (directory as NSString).appendingPathComponent(relative)
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try blob(ObjectID(git_tree_entry_id(entry))).write(to: URL(fileURLWithPath: target))
        }
    }
}
