import CGit2
import Foundation

/// A repository handle whose new objects are kept in memory until `flush()` writes them to the
/// object store as one pack file, as `git fast-import` does: a migration that edits a few
/// hundred files adds two files to the object store, not a few hundred loose objects and their
/// fan-out folders. Objects never flushed are dropped with the handle, so an attempt that ends
/// without a commit leaves nothing behind.
///
/// Nothing may point at these objects (a ref, a note) before `flush()` returns.
public final class PackedWrites {
    /// Reads see the in-memory objects; writes go to memory.
    public let repository: Repository
    private let odb: OpaquePointer
    private let memory: UnsafeMutablePointer<git_odb_backend>

    public init(opening path: String) throws(GitError) {
        let repository = try Repository.open(path)
        var odb: OpaquePointer?
        try check("open object database", path) { git_repository_odb(&odb, repository.handle) }
        var memory: UnsafeMutablePointer<git_odb_backend>?
        do {
            try check("create in-memory pack", path) { git_mempack_new(&memory) }
            // The database owns the backend once added; the highest priority takes every write.
            try check("add in-memory pack", path) { git_odb_add_backend(odb, memory, 999) }
        } catch {
            git_odb_free(odb)
            throw error
        }
        self.repository = repository
        self.odb = odb!
        self.memory = memory!
    }

    deinit { git_odb_free(odb) }

    /// Writes every object reachable from the commits made through this handle as one pack
    /// (an object that is not is dropped: the in-memory store packs by commit).
    public func flush() throws(GitError) {
        let path = repository.path
        var pack = git_buf()
        defer { git_buf_dispose(&pack) }
        try check("write pack", path) { git_mempack_dump(&pack, repository.handle, memory) }
        var writepack: UnsafeMutablePointer<git_odb_writepack>?
        try check("write pack", path) { git_odb_write_pack(&writepack, odb, nil, nil) }
        defer { writepack?.pointee.free(writepack) }
        var progress = git_indexer_progress()
        try check("write pack", path) { writepack!.pointee.append(writepack, pack.ptr, pack.size, &progress) }
        try check("write pack", path) { writepack!.pointee.commit(writepack, &progress) }
        // Only now, with the pack on disk, may the in-memory copies go.
        try check("write pack", path) { git_mempack_reset(memory) }
    }
}

extension Repository {
    /// Stages the named worktree paths on top of `baseTree`: each file's blob is read through
    /// the repository's filters (as `git add` does) and the trees that hold them are updated;
    /// paths missing from the worktree are removed, and no other file is read or hashed. The
    /// index is set to the new tree. Returns it.
    public func stage(_ paths: [String], onto baseTree: ObjectID) throws(GitError) -> ObjectID {
        guard let root = workingDirectory else {
            throw GitError(operation: "stage", repository: path, message: "a bare repository has no files to stage")
        }
        var baseOid = baseTree.raw
        var base: OpaquePointer?
        try check("read tree \(baseTree.short)", path) { git_tree_lookup(&base, handle, &baseOid) }
        defer { git_tree_free(base) }
        var updates: [git_tree_update] = []
        var cPaths: [UnsafeMutablePointer<CChar>] = []
        defer { cPaths.forEach { free($0) } }
        for relative in paths {
            let cPath = strdup(relative)!
            cPaths.append(cPath)
            var update = git_tree_update()
            update.path = UnsafePointer(cPath)
            var status = stat()
            if lstat((root as NSString).appendingPathComponent(relative), &status) == 0 {
                try check("stage \(relative)", path) { git_blob_create_from_workdir(&update.id, handle, relative) }
                update.action = GIT_TREE_UPDATE_UPSERT
                update.filemode = status.st_mode & S_IFMT == S_IFLNK ? GIT_FILEMODE_LINK
                    : status.st_mode & 0o111 != 0 ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB
            } else {
                update.action = GIT_TREE_UPDATE_REMOVE
            }
            updates.append(update)
        }
        var tree = git_oid()
        try check("write tree", path) { git_tree_create_updated(&tree, handle, base, updates.count, &updates) }

        var index: OpaquePointer?
        try check("open index", path) { git_repository_index(&index, handle) }
        defer { git_index_free(index) }
        var newTree: OpaquePointer?
        try check("read tree", path) { git_tree_lookup(&newTree, handle, &tree) }
        defer { git_tree_free(newTree) }
        try check("update index", path) { git_index_read_tree(index, newTree) }
        try check("write index", path) { git_index_write(index) }
        return ObjectID(tree)
    }
}
