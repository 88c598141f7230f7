import CGit2
import Foundation

/// A linked worktree of a bare mirror, checked out on a branch, made and removed with libgit2
/// (so no git hooks of the consumer run). Ordinary git sees it in `git worktree list`.
public struct Worktree: Hashable, Sendable {
    /// The worktree's name inside the mirror (`<git-dir>/worktrees/<name>`).
    public var name: String
    /// Where the files are checked out.
    public var path: String
    public var branch: String

    public init(name: String, path: String, branch: String) {
        self.name = name
        self.path = path
        self.branch = branch
    }

    /// Creates (or resets) `branch` at `base` and checks it out into a new worktree at `path`.
    /// A stale worktree of the same name (its folder gone, say after a crash) is pruned first.
    public static func add(
        to repository: Repository, name: String, path: String, branch: String, at base: ObjectID
    ) throws(GitError) -> Worktree {
        if try repository.config("extensions.worktreeConfig") == "true" {
            throw GitError(
                operation: "add worktree", repository: repository.path,
                message: "the repository sets extensions.worktreeConfig, which libgit2 1.5 cannot add worktrees to")
        }
        try prune(in: repository, named: name)
        let parent = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw GitError(operation: "add worktree \(name)", repository: repository.path, message: "cannot create \(parent): \(error)")
        }
        // The undo is set up before anything is made: a failed checkout (a full disk, a path
        // the file system refuses) leaves no folder, no entry, and the branch as it was.
        let previous = try repository.referenceTarget(branch)
        var made = false
        defer {
            if !made {
                try? prune(in: repository, named: name, force: true)
                try? FileManager.default.removeItem(atPath: path)
                if let previous {
                    try? repository.setReference(branch, to: previous, message: "skein: worktree not made; branch restored")
                } else {
                    try? repository.deleteReference(branch)
                }
            }
        }
        try repository.setReference(branch, to: base, message: "skein: branch from \(base.short)")
        var reference: OpaquePointer?
        try check("add worktree", repository.path) { git_reference_lookup(&reference, repository.handle, branch) }
        defer { git_reference_free(reference) }
        var options = git_worktree_add_options()
        git_worktree_add_options_init(&options, UInt32(GIT_WORKTREE_ADD_OPTIONS_VERSION))
        options.ref = reference
        options.checkout_options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        var worktree: OpaquePointer?
        try check("add worktree \(name)", repository.path) {
            git_worktree_add(&worktree, repository.handle, name, path, &options)
        }
        git_worktree_free(worktree)
        made = true
        return Worktree(name: name, path: path, branch: branch)
    }

    /// Marks the worktree as kept on purpose (`git worktree lock`, with the reason git shows),
    /// so that sweeping a crashed run's leftovers passes it by.
    public func keep(in repository: Repository, reason: String) throws(GitError) {
        var worktree: OpaquePointer?
        try check("look up worktree \(name)", repository.path) { git_worktree_lookup(&worktree, repository.handle, name) }
        defer { git_worktree_free(worktree) }
        try check("lock worktree \(name)", repository.path) { git_worktree_lock(worktree, reason) }
    }

    /// Whether the named worktree is marked as kept (locked).
    public static func isKept(in repository: Repository, named name: String) -> Bool {
        var worktree: OpaquePointer?
        guard git_worktree_lookup(&worktree, repository.handle, name) == 0 else { return false }
        defer { git_worktree_free(worktree) }
        return git_worktree_is_locked(nil, worktree) > 0
    }

    /// Removes the worktree's files and its administrative entry; the branch stays.
    public func remove(from repository: Repository) throws(GitError) {
        // Files first: a process killed in between leaves an entry whose folder is gone, which
        // `pruneStale` recognises, rather than a folder no entry accounts for.
        if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
        try Worktree.prune(in: repository, named: name, force: true)
    }

    /// Names of the repository's linked worktrees.
    public static func names(in repository: Repository) throws(GitError) -> [String] {
        var list = git_strarray()
        try check("list worktrees", repository.path) { git_worktree_list(&list, repository.handle) }
        defer { git_strarray_dispose(&list) }
        return (0..<list.count).compactMap { list.strings[$0].map { String(cString: $0) } }
    }

    /// Prunes worktrees whose folders are gone (left by a crash). Returns their names.
    @discardableResult
    public static func pruneStale(in repository: Repository) throws(GitError) -> [String] {
        var pruned: [String] = []
        for name in try names(in: repository) {
            var worktree: OpaquePointer?
            guard git_worktree_lookup(&worktree, repository.handle, name) == 0 else {
                // Half-written by a killed process: `prune` removes what libgit2 cannot open.
                if (try? prune(in: repository, named: name)) != nil { pruned.append(name) }
                continue
            }
            defer { git_worktree_free(worktree) }
            if git_worktree_validate(worktree) != 0 {
                try prune(in: repository, named: name)
                pruned.append(name)
            }
        }
        return pruned
    }

    static func prune(in repository: Repository, named name: String, force: Bool = false) throws(GitError) {
        let administrative = (repository.commonDirectory as NSString).appendingPathComponent("worktrees/" + name)
        guard FileManager.default.fileExists(atPath: administrative) else { return }
        var worktree: OpaquePointer?
        let status = git_worktree_lookup(&worktree, repository.handle, name)
        if status == GIT_ENOTFOUND.rawValue { return }
        if status < 0 {
            // An entry a killed process left half-written (no `gitdir`, no `HEAD`): libgit2
            // cannot open it, so it cannot prune it either; the folder is the whole entry.
            let known = ["gitdir", "HEAD", "commondir"].allSatisfy {
                FileManager.default.fileExists(atPath: administrative + "/" + $0)
            }
            if !known || force {
                do {
                    try FileManager.default.removeItem(atPath: administrative)
                    return
                } catch {}
            }
            throw lastError("look up worktree \(name)", repository.path, code: status)
        }
        defer { git_worktree_free(worktree) }
        var options = git_worktree_prune_options()
        git_worktree_prune_options_init(&options, UInt32(GIT_WORKTREE_PRUNE_OPTIONS_VERSION))
        options.flags = GIT_WORKTREE_PRUNE_VALID.rawValue | GIT_WORKTREE_PRUNE_LOCKED.rawValue
            | GIT_WORKTREE_PRUNE_WORKING_TREE.rawValue
        if !force, git_worktree_validate(worktree) == 0 { options.flags = 0 }
        if git_worktree_is_prunable(worktree, &options) == 1 || force {
            try check("prune worktree \(name)", repository.path) { git_worktree_prune(worktree, &options) }
        }
    }
}

extension Repository {
    /// The tree that reverting `commit` on top of `onto` gives, or an error if it conflicts.
    public func revertTree(of commit: ObjectID, onto: ObjectID) throws(GitError) -> ObjectID {
        var revertOid = commit.raw, ontoOid = onto.raw
        var revertCommit: OpaquePointer?, ontoCommit: OpaquePointer?
        try check("read commit", path) { git_commit_lookup(&revertCommit, handle, &revertOid) }
        defer { git_commit_free(revertCommit) }
        try check("read commit", path) { git_commit_lookup(&ontoCommit, handle, &ontoOid) }
        defer { git_commit_free(ontoCommit) }
        var index: OpaquePointer?
        try check("revert \(commit.short)", path) { git_revert_commit(&index, handle, revertCommit, ontoCommit, 0, nil) }
        defer { git_index_free(index) }
        if git_index_has_conflicts(index) == 1 {
            throw GitError(operation: "revert \(commit.short)", repository: path, message: "the revert conflicts with later changes")
        }
        var tree = git_oid()
        try check("write tree", path) { git_index_write_tree_to(&tree, index, handle) }
        return ObjectID(tree)
    }
}

/// A file to put in a tree from bytes skein holds, never read from a working directory.
public struct StagedFile: Sendable {
    /// `/`-separated path from the root of the tree.
    public var path: String
    /// The new bytes; nil removes the path.
    public var contents: Data?
    /// Whether the file is executable; nil keeps the mode the base tree has for it (a plain
    /// file when it is new).
    public var executable: Bool?

    public init(path: String, contents: Data?, executable: Bool? = nil) {
        self.path = path
        self.contents = contents
        self.executable = executable
    }
}

extension Repository {
    /// Writes `files` as blobs from memory and returns `baseTree` updated with them: nothing of
    /// any working directory is read, and neither the index nor a ref moves. Works on a bare
    /// repository.
    public func stage(_ files: [StagedFile], onto baseTree: ObjectID) throws(GitError) -> ObjectID {
        var baseOid = baseTree.raw
        var base: OpaquePointer?
        try check("read tree \(baseTree.short)", path) { git_tree_lookup(&base, handle, &baseOid) }
        defer { git_tree_free(base) }
        var updates: [git_tree_update] = []
        var cPaths: [UnsafeMutablePointer<CChar>] = []
        defer { cPaths.forEach { free($0) } }
        for file in files {
            let cPath = strdup(file.path)!
            cPaths.append(cPath)
            var update = git_tree_update()
            update.path = UnsafePointer(cPath)
            guard let contents = file.contents else {
                var entry: OpaquePointer?
                // Removing what the base does not have is no change (and an error to libgit2).
                guard git_tree_entry_bypath(&entry, base, file.path) == 0 else { continue }
                git_tree_entry_free(entry)
                update.action = GIT_TREE_UPDATE_REMOVE
                updates.append(update)
                continue
            }
            var blob = git_oid()
            let written = contents.withUnsafeBytes { git_blob_create_from_buffer(&blob, handle, $0.baseAddress, $0.count) }
            if written < 0 { throw lastError("write blob for \(file.path)", path, code: written) }
            update.id = blob
            var executable = file.executable ?? false
            if file.executable == nil {
                var entry: OpaquePointer?
                if git_tree_entry_bypath(&entry, base, file.path) == 0 {
                    executable = git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE
                    git_tree_entry_free(entry)
                }
            }
            update.action = GIT_TREE_UPDATE_UPSERT
            update.filemode = executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB
            updates.append(update)
        }
        var tree = git_oid()
        try check("write tree", path) { git_tree_create_updated(&tree, handle, base, updates.count, &updates) }
        return ObjectID(tree)
    }

    /// The working-directory paths that differ from the index: modified, deleted and new files
    /// (new ones unless ignored). libgit2 looks at regular files and links only, and hashes a
    /// file only when its stat data changed; a caller that must not block checks first that
    /// nothing else (a FIFO, a socket) is there.
    public func changedWorkingPaths() throws(GitError) -> [String] {
        var options = git_status_options()
        git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION))
        options.show = GIT_STATUS_SHOW_WORKDIR_ONLY
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue | GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue
        var list: OpaquePointer?
        try check("read status", path) { git_status_list_new(&list, handle, &options) }
        defer { git_status_list_free(list) }
        var paths: [String] = []
        for position in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, position), let delta = entry.pointee.index_to_workdir else { continue }
            let file = delta.pointee.new_file.path ?? delta.pointee.old_file.path
            if let file { paths.append(String(cString: file)) }
        }
        return paths
    }
}
