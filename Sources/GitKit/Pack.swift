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
