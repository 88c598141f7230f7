import CGit2
import Foundation

/// One reference as an upstream advertises it.
public struct RemoteHead: Hashable, Sendable {
    public var name: String
    public var target: ObjectID
    /// For `HEAD`: the branch it names.
    public var symbolicTarget: String?
}

extension Repository {
    /// Fetches `refspecs` from `url` (a path or URL). Returns what the upstream advertised.
    /// Nothing is pruned: callers decide what an upstream's missing refs mean.
    @discardableResult
    public func fetch(from url: String, refspecs: [String]) throws(GitError) -> [RemoteHead] {
        var remote: OpaquePointer?
        try check("connect to \(url)", path) { git_remote_create_anonymous(&remote, handle, url) }
        defer { git_remote_free(remote) }
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.prune = GIT_FETCH_NO_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        try withStringArray(refspecs) { (array) throws(GitError) in
            try check("fetch from \(url)", path) { git_remote_fetch(remote, &array, &options, "skein: fetch") }
        }
        return try advertised(remote)
    }

    /// What an upstream advertises, without fetching.
    public func listRemote(_ url: String) throws(GitError) -> [RemoteHead] {
        var remote: OpaquePointer?
        try check("connect to \(url)", path) { git_remote_create_anonymous(&remote, handle, url) }
        defer { git_remote_free(remote) }
        try check("connect to \(url)", path) { git_remote_connect(remote, GIT_DIRECTION_FETCH, nil, nil, nil) }
        defer { git_remote_disconnect(remote) }
        return try advertised(remote)
    }

    private func advertised(_ remote: OpaquePointer?) throws(GitError) -> [RemoteHead] {
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try check("list remote", path) { git_remote_ls(&heads, &count, remote) }
        var result: [RemoteHead] = []
        for index in 0..<count {
            guard let head = heads?[index]?.pointee else { continue }
            result.append(RemoteHead(
                name: String(cString: head.name), target: ObjectID(head.oid),
                symbolicTarget: head.symref_target.map { String(cString: $0) }))
        }
        return result
    }

    /// Pushes `refspecs` to `url`. A rejected reference (not a fast-forward, or refused by the
    /// upstream) is an error naming it. A local non-bare upstream, which libgit2's transport
    /// refuses, is delivered to directly (`pushLocally`); every other one as libgit2 does it.
    public func push(to url: String, refspecs: [String]) throws(GitError) {
        if let upstream = Repository.localNonBare(url) {
            try pushLocally(into: upstream, url: url, refspecs: refspecs)
            return
        }
        var remote: OpaquePointer?
        try check("connect to \(url)", path) { git_remote_create_anonymous(&remote, handle, url) }
        defer { git_remote_free(remote) }
        var options = git_push_options()
        git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION))
        final class Rejections { var messages: [String] = [] }
        let rejections = Rejections()
        options.callbacks.payload = Unmanaged.passUnretained(rejections).toOpaque()
        options.callbacks.push_update_reference = { reference, status, payload in
            if let status {
                let rejections = Unmanaged<Rejections>.fromOpaque(payload!).takeUnretainedValue()
                rejections.messages.append("\(String(cString: reference!)): \(String(cString: status))")
            }
            return 0
        }
        try withStringArray(refspecs) { (array) throws(GitError) in
            try check("push to \(url)", path) { git_remote_push(remote, &array, &options) }
        }
        if !rejections.messages.isEmpty {
            throw GitError(
                operation: "push to \(url)", repository: path, code: GIT_ENONFASTFORWARD.rawValue,
                message: "rejected " + rejections.messages.joined(separator: ", "))
        }
    }
}

func withStringArray<T>(_ strings: [String], _ body: (inout git_strarray) throws(GitError) -> T) throws(GitError) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return try pointers.withUnsafeMutableBufferPointer { (buffer) throws(GitError) -> T in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return try body(&array)
    }
}

extension Repository {
    /// Whether the object database holds `id` (a commit fetched earlier, say).
    public func contains(_ id: ObjectID) -> Bool {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, handle) == 0 else { return false }
        defer { git_odb_free(odb) }
        var oid = id.raw
        return git_odb_exists(odb, &oid) == 1
    }
}
