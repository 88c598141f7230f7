import CGit2
import Foundation

/// The change between two commits as `git diff` prints it, bounded for display.
public struct Patch: Sendable, Hashable {
    /// The unified diff, cut at the byte budget (at a line end).
    public var text: String
    public var filesChanged: Int
    public var insertions: Int
    public var deletions: Int
    /// Files whose diff was left out (beyond the budget) or shortened.
    public var truncatedFiles: Int
}

extension Repository {
    /// The diff from `old` to `new` (commits). Each file's diff is kept whole up to `maxBytes`
    /// in all; a larger one is cut at a line end, and the files after the budget are only
    /// counted, so a huge migration never makes a huge page.
    public func patch(from old: ObjectID, to new: ObjectID, maxBytes: Int = 64 << 10) throws(GitError) -> Patch {
        let oldTree = try commit(old).tree, newTree = try commit(new).tree
        var oldOid = oldTree.raw, newOid = newTree.raw
        var oldHandle: OpaquePointer?, newHandle: OpaquePointer?
        try check("read tree", path) { git_tree_lookup(&oldHandle, handle, &oldOid) }
        defer { git_tree_free(oldHandle) }
        try check("read tree", path) { git_tree_lookup(&newHandle, handle, &newOid) }
        defer { git_tree_free(newHandle) }
        var diff: OpaquePointer?
        try check("diff", path) { git_diff_tree_to_tree(&diff, handle, oldHandle, newHandle, nil) }
        defer { git_diff_free(diff) }

        var stats: OpaquePointer?
        try check("diff stats", path) { git_diff_get_stats(&stats, diff) }
        defer { git_diff_stats_free(stats) }
        var result = Patch(
            text: "", filesChanged: Int(git_diff_stats_files_changed(stats)),
            insertions: Int(git_diff_stats_insertions(stats)), deletions: Int(git_diff_stats_deletions(stats)),
            truncatedFiles: 0)

        var bytes = 0
        for index in 0..<git_diff_num_deltas(diff) {
            guard bytes < maxBytes else {
                result.truncatedFiles += 1
                continue
            }
            var patch: OpaquePointer?
            guard git_patch_from_diff(&patch, diff, index) == 0, let patch else { continue }
            defer { git_patch_free(patch) }
            var buffer = git_buf()
            defer { git_buf_dispose(&buffer) }
            guard git_patch_to_buf(&buffer, patch) == 0, let pointer = buffer.ptr else { continue }
            let raw = UnsafeRawBufferPointer(start: pointer, count: buffer.size)
            let room = maxBytes - bytes
            if raw.count <= room {
                result.text += String(decoding: raw, as: UTF8.self)
                bytes += raw.count
            } else {
                // Cut at the last line end within the budget, so no line is shown half.
                let cut = raw[..<room].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
                result.text += String(decoding: raw[..<cut], as: UTF8.self)
                bytes = maxBytes
                result.truncatedFiles += 1
            }
        }
        return result
    }
}
