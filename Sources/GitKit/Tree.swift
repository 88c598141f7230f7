import CGit2
import Foundation

/// One file of a commit's tree.
public struct TreeEntry: Hashable, Sendable {
    public enum Kind: Sendable { case file, executable, symlink, submodule }
    /// `/`-separated path from the root of the tree.
    public var path: String
    public var blob: ObjectID
    public var kind: Kind
}

extension Repository {
    /// The bytes of the file at `path` in `commit`'s tree, read straight from the object
    /// database (no checkout); nil when there is no such file. Symlinks and submodules are not
    /// files and read as nil.
    public func file(at path: String, in commit: ObjectID) throws(GitError) -> Data? {
        try withTree(of: commit) { (tree) throws(GitError) -> Data? in
            var entry: OpaquePointer?
            let status = git_tree_entry_bypath(&entry, tree, path)
            if status == GIT_ENOTFOUND.rawValue { return nil }
            if status < 0 { throw lastError("read \(path)", self.path, code: status) }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB,
                  git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK
            else { return nil }
            return try blob(ObjectID(git_tree_entry_id(entry)))
        }
    }

    /// The regular file at `path` in `commit`'s tree without reading it (so a caller can bound
    /// its size first); nil when there is none, or it is a symlink or submodule.
    public func entry(at path: String, in commit: ObjectID) throws(GitError) -> TreeEntry? {
        try withTree(of: commit) { (tree) throws(GitError) -> TreeEntry? in
            var entry: OpaquePointer?
            let status = git_tree_entry_bypath(&entry, tree, path)
            if status == GIT_ENOTFOUND.rawValue { return nil }
            if status < 0 { throw lastError("read \(path)", self.path, code: status) }
            defer { git_tree_entry_free(entry) }
            let mode = git_tree_entry_filemode(entry)
            guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB, mode != GIT_FILEMODE_LINK else { return nil }
            return TreeEntry(
                path: path, blob: ObjectID(git_tree_entry_id(entry)), kind: mode == GIT_FILEMODE_BLOB_EXECUTABLE ? .executable : .file)
        }
    }

    /// The bytes of a blob.
    public func blob(_ id: ObjectID) throws(GitError) -> Data {
        var oid = id.raw
        var blob: OpaquePointer?
        try check("read blob \(id.short)", path) { git_blob_lookup(&blob, handle, &oid) }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let bytes = git_blob_rawcontent(blob) else { return Data() }
        return Data(bytes: bytes, count: size)
    }

    /// Calls `body` with the raw bytes of a blob, without copying them.
    public func withBlobBytes<T>(_ id: ObjectID, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        var oid = id.raw
        var blob: OpaquePointer?
        try check("read blob \(id.short)", path) { git_blob_lookup(&blob, handle, &oid) }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        return try body(UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: size))
    }

    /// Every file of `commit`'s tree (recursively), optionally only those below `directory`.
    public func files(in commit: ObjectID, under directory: String? = nil) throws(GitError) -> [TreeEntry] {
        try withTree(of: commit) { (root) throws(GitError) -> [TreeEntry] in
            var tree = root
            var subtree: OpaquePointer?
            defer { if let subtree { git_tree_free(subtree) } }
            var prefix = ""
            if let directory, !directory.isEmpty {
                var entry: OpaquePointer?
                let status = git_tree_entry_bypath(&entry, root, directory)
                if status == GIT_ENOTFOUND.rawValue { return [] }
                if status < 0 { throw lastError("read \(directory)", self.path, code: status) }
                defer { git_tree_entry_free(entry) }
                guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
                try check("read \(directory)", self.path) { git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)) }
                tree = subtree!
                prefix = directory.hasSuffix("/") ? directory : directory + "/"
            }
            final class Collector { var entries: [TreeEntry] = []; var prefix = "" }
            let collector = Collector()
            collector.prefix = prefix
            let payload = Unmanaged.passUnretained(collector).toOpaque()
            try check("walk tree", self.path) {
                git_tree_walk(tree, GIT_TREEWALK_PRE, { root, entry, payload in
                    let collector = Unmanaged<Collector>.fromOpaque(payload!).takeUnretainedValue()
                    let mode = git_tree_entry_filemode(entry)
                    let kind: TreeEntry.Kind
                    switch mode {
                    case GIT_FILEMODE_BLOB: kind = .file
                    case GIT_FILEMODE_BLOB_EXECUTABLE: kind = .executable
                    case GIT_FILEMODE_LINK: kind = .symlink
                    case GIT_FILEMODE_COMMIT: kind = .submodule
                    default: return 0
                    }
                    let name = String(cString: git_tree_entry_name(entry))
                    let directory = String(cString: root!)
                    collector.entries.append(TreeEntry(
                        path: collector.prefix + directory + name, blob: ObjectID(git_tree_entry_id(entry)), kind: kind))
                    return 0
                }, payload)
            }
            return collector.entries
        }
    }

    func withTree<T>(of commit: ObjectID, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var oid = commit.raw
        var commitHandle: OpaquePointer?
        try check("read commit \(commit.short)", path) { git_commit_lookup(&commitHandle, handle, &oid) }
        defer { git_commit_free(commitHandle) }
        var tree: OpaquePointer?
        try check("read tree of \(commit.short)", path) { git_commit_tree(&tree, commitHandle) }
        defer { git_tree_free(tree) }
        return try body(tree!)
    }
}
