import CGit2
import Foundation
import SkeinBasics

/// An open git repository (bare mirror, registry, or a worktree checkout). One handle per job:
/// open it, use it, let it go; never share it across threads.
public final class Repository {
    let handle: OpaquePointer
    /// The path it was opened at, used in every error message.
    public let path: String

    init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { git_repository_free(handle) }

    /// Opens the repository at `path` exactly (no search upwards): a bare repo, a working copy,
    /// or a linked worktree.
    public static func open(_ path: String) throws(GitError) -> Repository {
        var handle: OpaquePointer?
        do {
            try check("open", path) {
                git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
            }
        } catch {
            // libgit2 says "not found" for a folder it may not read: name the real cause.
            if let cause = unreadableCause(path) { throw GitError(operation: "open", repository: path, code: error.code, message: cause) }
            throw error
        }
        return Repository(handle: handle!, path: path)
    }

    /// Why `path` (or what git reads inside it) cannot be read, when the file system says so.
    static func unreadableCause(_ path: String) -> String? {
        for candidate in [path, path + "/HEAD", path + "/objects", path + "/refs", path + "/.git"] {
            var status = stat()
            guard stat(candidate, &status) == 0 else {
                if errno == ENOENT, candidate == path { return "no such repository: \(path) does not exist" }
                if errno == EACCES { return "permission denied reading \(candidate)" }
                continue
            }
            let wanted = (status.st_mode & S_IFMT) == S_IFDIR ? R_OK | X_OK : R_OK
            if access(candidate, wanted) != 0, errno == EACCES { return "permission denied reading \(candidate)" }
        }
        return nil
    }

    /// Opens the repository containing `path`, searching parent directories like git does.
    public static func discover(from path: String) throws(GitError) -> Repository {
        var handle: OpaquePointer?
        try check("open", path) { git_repository_open_ext(&handle, path, 0, nil) }
        return Repository(handle: handle!, path: path)
    }

    /// Creates a new empty repository.
    public static func initialize(_ path: String, bare: Bool) throws(GitError) -> Repository {
        var handle: OpaquePointer?
        try check("init", path) { git_repository_init(&handle, path, bare ? 1 : 0) }
        return Repository(handle: handle!, path: path)
    }

    public var isBare: Bool { git_repository_is_bare(handle) == 1 }

    /// The git directory (`.git`, or the bare repo itself), with a trailing slash.
    public var gitDirectory: String { String(cString: git_repository_path(handle)) }

    /// The common git directory shared by all worktrees of this repository.
    public var commonDirectory: String { String(cString: git_repository_commondir(handle)) }

    /// The working directory, or nil for a bare repo.
    public var workingDirectory: String? { git_repository_workdir(handle).map { String(cString: $0) } }

    /// True when the repository has no commit on HEAD yet.
    public var isHeadUnborn: Bool { git_repository_head_unborn(handle) == 1 }

    // MARK: - Names and references

    /// Resolves a revision (`HEAD`, a branch, a sha, `HEAD~1`) to a commit id.
    public func resolve(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check("resolve \(revision)", path) { git_revparse_single(&object, handle, revision) }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check("resolve \(revision)", path) { git_object_peel(&commit, object, GIT_OBJECT_COMMIT) }
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit))
    }

    /// The commit a reference points at, or nil if there is no such reference.
    public func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, handle, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        if result < 0 { throw lastError("read \(name)", path, code: result) }
        return ObjectID(oid)
    }

    /// The branch `HEAD` names (`refs/heads/main`), whether or not it has commits.
    public func headReferenceName() throws(GitError) -> String? {
        var reference: OpaquePointer?
        try check("read HEAD", path) { git_reference_lookup(&reference, handle, "HEAD") }
        defer { git_reference_free(reference) }
        guard git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC else { return nil }
        return git_reference_symbolic_target(reference).map { String(cString: $0) }
    }

    /// The default branch: the branch `HEAD` names and the commit it points at.
    /// Throws a clear error for an empty repository or a dangling `HEAD`.
    public func defaultBranch() throws(GitError) -> (name: String, commit: ObjectID) {
        guard let name = try headReferenceName() else {
            let head = try resolve("HEAD")
            return ("HEAD", head)
        }
        guard let commit = try referenceTarget(name) else {
            let anyBranch = try references(matching: "refs/heads/*").isEmpty == false
            throw GitError(
                operation: "resolve default branch", repository: path, code: GIT_EUNBORNBRANCH.rawValue,
                message: anyBranch ? "HEAD names \(name), which does not exist" : "the repository has no commits")
        }
        return (name, commit)
    }

    /// Points `HEAD` at a branch (it may not exist yet).
    public func setHead(_ referenceName: String) throws(GitError) {
        try check("set HEAD", path) { git_repository_set_head(handle, referenceName) }
    }

    /// All references whose names match a glob such as `refs/heads/*`, with the commits they
    /// point at (symbolic references are skipped).
    public func references(matching glob: String = "*") throws(GitError) -> [String: ObjectID] {
        var iterator: OpaquePointer?
        try check("list references", path) { git_reference_iterator_glob_new(&iterator, handle, glob) }
        defer { git_reference_iterator_free(iterator) }
        var result: [String: ObjectID] = [:]
        while true {
            var reference: OpaquePointer?
            let status = git_reference_next(&reference, iterator)
            if status == GIT_ITEROVER.rawValue { break }
            if status < 0 { throw lastError("list references", path, code: status) }
            defer { git_reference_free(reference) }
            guard git_reference_type(reference) == GIT_REFERENCE_DIRECT, let oid = git_reference_target(reference) else { continue }
            result[String(cString: git_reference_name(reference))] = ObjectID(oid)
        }
        return result
    }

    /// Creates or moves a reference to `target`. With `expected`, the update only happens if the
    /// reference still points there (nil: it must not exist yet, unless `force`).
    public func setReference(
        _ name: String, to target: ObjectID, expected: ObjectID? = nil, force: Bool = true, message: String
    ) throws(GitError) {
        var reference: OpaquePointer?
        var oid = target.raw
        if let expected {
            var old = expected.raw
            try check("update \(name)", path) {
                git_reference_create_matching(&reference, handle, name, &oid, 1, &old, message)
            }
        } else {
            try check("update \(name)", path) {
                git_reference_create(&reference, handle, name, &oid, force ? 1 : 0, message)
            }
        }
        git_reference_free(reference)
    }

    /// Deletes a reference; deleting one that does not exist is not an error.
    public func deleteReference(_ name: String) throws(GitError) {
        var reference: OpaquePointer?
        let status = git_reference_lookup(&reference, handle, name)
        if status == GIT_ENOTFOUND.rawValue { return }
        if status < 0 { throw lastError("delete \(name)", path, code: status) }
        defer { git_reference_free(reference) }
        try check("delete \(name)", path) { git_reference_delete(reference) }
    }

    // MARK: - Configuration

    public func setConfig(_ key: String, _ value: String) throws(GitError) {
        try withLocalConfig(key) { config in git_config_set_string(config, key, value) }
    }

    /// Adds a value to a multi-valued key (such as `remote.origin.fetch`).
    public func addConfig(_ key: String, _ value: String) throws(GitError) {
        try withLocalConfig(key) { config in git_config_set_multivar(config, key, "^$", value) }
    }

    /// Writes go to the repository's own config file, never another level: libgit2 writes to
    /// the highest level it has, which for a repository whose config file is gone (another
    /// process removed a half-made mirror) is the user's global config.
    private func withLocalConfig(_ key: String, _ write: (OpaquePointer?) -> Int32) throws(GitError) {
        var config: OpaquePointer?
        try check("open config", path) { git_repository_config(&config, handle) }
        defer { git_config_free(config) }
        var local: OpaquePointer?
        let opened = git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL)
        guard opened == 0 else {
            throw GitError(operation: "set \(key)", repository: path, code: opened, message: "the repository has no config file of its own")
        }
        defer { git_config_free(local) }
        try check("set \(key)", path) { write(local) }
    }

    public func config(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try check("open config", path) { git_repository_config(&config, handle) }
        defer { git_config_free(config) }
        var snapshot: OpaquePointer?
        try check("read config", path) { git_config_snapshot(&snapshot, config) }
        defer { git_config_free(snapshot) }
        var value: UnsafePointer<CChar>?
        let status = git_config_get_string(&value, snapshot, key)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        if status < 0 { throw lastError("read \(key)", path, code: status) }
        return value.map { String(cString: $0) }
    }
}

extension Repository {
    /// Removes the `.lock` files a killed writer left under these reference namespaces (e.g.
    /// `refs/heads/skein`, `refs/notes`); git and libgit2 refuse to update a reference while its
    /// lock file exists. Only for a caller that knows no other writer is at work on them.
    /// Returns the references that were unlocked.
    @discardableResult
    public func removeStaleReferenceLocks(in namespaces: [String]) -> [String] {
        var removed: [String] = []
        for namespace in namespaces {
            let root = (commonDirectory as NSString).appendingPathComponent(namespace)
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            while let relative = walker.nextObject() as? String {
                guard relative.hasSuffix(".lock") else { continue }
                let path = (root as NSString).appendingPathComponent(relative)
                var status = stat()
                guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { continue }
                if unlink(path) == 0 { removed.append(namespace + "/" + String(relative.dropLast(".lock".count))) }
            }
        }
        return removed
    }
}
