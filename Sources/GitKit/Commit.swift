import CGit2
import Foundation

/// What a commit says about itself.
public struct CommitInfo: Hashable, Sendable {
    public var id: ObjectID
    public var parents: [ObjectID]
    public var tree: ObjectID
    public var message: String
    public var author: Signature
    public var committer: Signature
    /// Seconds since the epoch, as the committer recorded it.
    public var time: Int64

    public var subject: String { String(message.split(separator: "\n", maxSplits: 1).first ?? "") }
}

extension Repository {
    public func commit(_ id: ObjectID) throws(GitError) -> CommitInfo {
        var oid = id.raw
        var commit: OpaquePointer?
        try check("read commit \(id.short)", path) { git_commit_lookup(&commit, handle, &oid) }
        defer { git_commit_free(commit) }
        var parents: [ObjectID] = []
        for index in 0..<git_commit_parentcount(commit) {
            parents.append(ObjectID(git_commit_parent_id(commit, index)))
        }
        func signature(_ pointer: UnsafePointer<git_signature>?) -> Signature {
            Signature(
                name: pointer.map { String(cString: $0.pointee.name) } ?? "",
                email: pointer.map { String(cString: $0.pointee.email) } ?? "")
        }
        return CommitInfo(
            id: id, parents: parents, tree: ObjectID(git_commit_tree_id(commit)),
            message: git_commit_message(commit).map { String(cString: $0) } ?? "",
            author: signature(git_commit_author(commit)), committer: signature(git_commit_committer(commit)),
            time: Int64(git_commit_time(commit)))
    }

    /// True when `ancestor` is `descendant` or one of its ancestors.
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws(GitError) -> Bool {
        if ancestor == descendant { return true }
        var a = descendant.raw, b = ancestor.raw
        return try check("check ancestry", path) { git_graph_descendant_of(handle, &a, &b) } == 1
    }

    public func mergeBase(_ one: ObjectID, _ other: ObjectID) throws(GitError) -> ObjectID? {
        var out = git_oid()
        var a = one.raw, b = other.raw
        let status = git_merge_base(&out, handle, &a, &b)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        if status < 0 { throw lastError("merge base", path, code: status) }
        return ObjectID(out)
    }

    /// Commits reachable from `tip` and not from `hide`, newest first.
    public func log(from tip: ObjectID, hiding hide: ObjectID? = nil, limit: Int = .max) throws(GitError) -> [ObjectID] {
        var walker: OpaquePointer?
        try check("walk history", path) { git_revwalk_new(&walker, handle) }
        defer { git_revwalk_free(walker) }
        git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        var start = tip.raw
        try check("walk history", path) { git_revwalk_push(walker, &start) }
        if let hide {
            var hidden = hide.raw
            try check("walk history", path) { git_revwalk_hide(walker, &hidden) }
        }
        var result: [ObjectID] = []
        var oid = git_oid()
        while result.count < limit, git_revwalk_next(&oid, walker) == 0 {
            result.append(ObjectID(oid))
        }
        return result
    }

    /// Writes a commit whose tree is `tree`, with the given parents, and (with `updating`) moves
    /// that reference to it, only if the reference still points at the first parent.
    public func createCommit(
        tree: ObjectID, parents: [ObjectID], message: String,
        author: Signature, committer: Signature, updating reference: String? = nil
    ) throws(GitError) -> ObjectID {
        var treeOid = tree.raw
        var treeHandle: OpaquePointer?
        try check("read tree \(tree.short)", path) { git_tree_lookup(&treeHandle, handle, &treeOid) }
        defer { git_tree_free(treeHandle) }
        var parentHandles: [OpaquePointer?] = []
        defer { parentHandles.forEach { git_commit_free($0) } }
        for parent in parents {
            var oid = parent.raw
            var commit: OpaquePointer?
            try check("read commit \(parent.short)", path) { git_commit_lookup(&commit, handle, &oid) }
            parentHandles.append(commit)
        }
        let authorSignature = try makeSignature(author)
        defer { git_signature_free(authorSignature) }
        let committerSignature = try makeSignature(committer)
        defer { git_signature_free(committerSignature) }
        var out = git_oid()
        try parentHandles.withUnsafeMutableBufferPointer { (buffer) throws(GitError) in
            try check("commit", path) {
                git_commit_create(
                    &out, handle, reference, authorSignature, committerSignature, "UTF-8", message,
                    treeHandle, buffer.count, buffer.baseAddress)
            }
        }
        return ObjectID(out)
    }

    func makeSignature(_ signature: Signature) throws(GitError) -> UnsafeMutablePointer<git_signature>? {
        var out: UnsafeMutablePointer<git_signature>?
        try check("make signature", path) { git_signature_now(&out, signature.name, signature.email) }
        return out
    }

    /// The stable patch id of a commit's change against its first parent (what `git patch-id
    /// --stable` prints), used to recognise a squash-merged migration.
    public func patchID(of commit: ObjectID) throws(GitError) -> ObjectID? {
        let info = try self.commit(commit)
        guard let parent = info.parents.first else { return nil }
        return try patchID(from: try self.commit(parent).tree, to: info.tree)
    }

    /// The patch id of the change between two trees.
    public func patchID(from old: ObjectID, to new: ObjectID) throws(GitError) -> ObjectID? {
        var oldOid = old.raw, newOid = new.raw
        var oldTree: OpaquePointer?, newTree: OpaquePointer?
        try check("read tree", path) { git_tree_lookup(&oldTree, handle, &oldOid) }
        defer { git_tree_free(oldTree) }
        try check("read tree", path) { git_tree_lookup(&newTree, handle, &newOid) }
        defer { git_tree_free(newTree) }
        var diff: OpaquePointer?
        try check("diff", path) { git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil) }
        defer { git_diff_free(diff) }
        if git_diff_num_deltas(diff) == 0 { return nil }
        var out = git_oid()
        try check("patch id", path) { git_diff_patchid(&out, diff, nil) }
        return ObjectID(out)
    }

    /// Paths that differ between two trees (added, deleted or modified), as `(old path, new path)`.
    public func changedPaths(from old: ObjectID?, to new: ObjectID) throws(GitError) -> [(old: String?, new: String?)] {
        var newOid = new.raw
        var newTree: OpaquePointer?
        try check("read tree", path) { git_tree_lookup(&newTree, handle, &newOid) }
        defer { git_tree_free(newTree) }
        var oldTree: OpaquePointer?
        if let old {
            var oldOid = old.raw
            try check("read tree", path) { git_tree_lookup(&oldTree, handle, &oldOid) }
        }
        defer { if oldTree != nil { git_tree_free(oldTree) } }
        var diff: OpaquePointer?
        try check("diff", path) { git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil) }
        defer { git_diff_free(diff) }
        var result: [(String?, String?)] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            let oldPath = delta.status == GIT_DELTA_ADDED ? nil : delta.old_file.path.map { String(cString: $0) }
            let newPath = delta.status == GIT_DELTA_DELETED ? nil : delta.new_file.path.map { String(cString: $0) }
            result.append((oldPath, newPath))
        }
        return result
    }
}

extension Repository {
    /// The tree of merging `theirs` into `ours`, or nil when the merge conflicts.
    public func mergeTree(ours: ObjectID, theirs: ObjectID) throws(GitError) -> ObjectID? {
        var oursOid = ours.raw, theirsOid = theirs.raw
        var oursCommit: OpaquePointer?, theirsCommit: OpaquePointer?
        try check("read commit", path) { git_commit_lookup(&oursCommit, handle, &oursOid) }
        defer { git_commit_free(oursCommit) }
        try check("read commit", path) { git_commit_lookup(&theirsCommit, handle, &theirsOid) }
        defer { git_commit_free(theirsCommit) }
        var index: OpaquePointer?
        try check("merge", path) { git_merge_commits(&index, handle, oursCommit, theirsCommit, nil) }
        defer { git_index_free(index) }
        if git_index_has_conflicts(index) == 1 { return nil }
        var tree = git_oid()
        try check("write tree", path) { git_index_write_tree_to(&tree, index, handle) }
        return ObjectID(tree)
    }
}
