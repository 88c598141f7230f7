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

/// The 1-based numbers of the lines of `new` that a line diff from `old` adds (all of them when
/// `old` is nil): what a commit brings, as `git diff` would show it with `+`.
public func addedLines(old: Data?, new: Data) -> Set<Int> {
    _ = libgit2Initialized
    guard let old else { return Set(1...max(1, new.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count)) }
    var patch: OpaquePointer?
    let oldBytes = Array(old), newBytes = Array(new)
    let status = oldBytes.withUnsafeBufferPointer { oldBuffer in
        newBytes.withUnsafeBufferPointer { newBuffer in
            git_patch_from_buffers(&patch, oldBuffer.baseAddress, oldBuffer.count, nil, newBuffer.baseAddress, newBuffer.count, nil, nil)
        }
    }
    guard status == 0, let patch else { return [] }
    defer { git_patch_free(patch) }
    var added: Set<Int> = []
    for hunk in 0..<git_patch_num_hunks(patch) {
        let count = git_patch_num_lines_in_hunk(patch, hunk)
        guard count > 0 else { continue }
        for index in 0..<Int(count) {
            var line: UnsafePointer<git_diff_line>?
            guard git_patch_get_line_in_hunk(&line, patch, hunk, index) == 0, let line else { continue }
            if line.pointee.origin == CChar(UInt8(ascii: "+")) { added.insert(Int(line.pointee.new_lineno)) }
        }
    }
    return added
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
    /// `indexFile` reads another index than the repository's own: the temporary one git names
    /// in `GIT_INDEX_FILE` for `commit -a`, `commit FILE` and `commit --amend`.
    public func stagedTree(indexFile: String? = nil) throws(GitError) -> ObjectID {
        var index: OpaquePointer?
        if let indexFile {
            try check("open index \(indexFile)", path) { git_index_open(&index, indexFile) }
        } else {
            try check("open index", path) { git_repository_index(&index, handle) }
        }
        defer { git_index_free(index) }
        var tree = git_oid()
        try check("write tree", path) { git_index_write_tree_to(&tree, index, handle) }
        return ObjectID(tree)
    }

    /// The blob of `path` in `tree`, or nil when the tree has no regular file there.
    public func blob(at relative: String, in tree: ObjectID) -> Data? {
        var oid = tree.raw
        var treeHandle: OpaquePointer?
        guard git_tree_lookup(&treeHandle, handle, &oid) == 0 else { return nil }
        defer { git_tree_free(treeHandle) }
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, treeHandle, relative) == 0 else { return nil }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        return try? blob(ObjectID(git_tree_entry_id(entry)))
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
