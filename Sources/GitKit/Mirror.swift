import CGit2
import Foundation
import SkeinBasics

/// What a mirror keeps of its own across syncs, given by the product above GitKit (skein's
/// branch and ledger names live in Ledger): local branches under `ownBranchPrefix` survive every
/// sync, the upstream's copy of `ledgerRef` is fetched to `upstreamLedgerRef` for the ledger to
/// merge, and `retiredRefs` (layouts of older versions) are removed on every sync.
public struct MirrorPolicy: Sendable, Hashable {
    /// e.g. `refs/heads/skein/`.
    public var ownBranchPrefix: String
    /// The notes ref mirrors display and carry across rebases, e.g. `refs/notes/skein`.
    public var ledgerRef: String
    public var upstreamLedgerRef: String
    public var retiredRefs: [String]

    public init(ownBranchPrefix: String, ledgerRef: String, upstreamLedgerRef: String, retiredRefs: [String] = []) {
        self.ownBranchPrefix = ownBranchPrefix
        self.ledgerRef = ledgerRef
        self.upstreamLedgerRef = upstreamLedgerRef
        self.retiredRefs = retiredRefs
    }
}

/// A bare mirror of a consumer's upstream in the mirrors directory: `<mirrors>/<name>.git`.
///
/// Branches and tags follow the upstream (including deletions), except what the
/// `MirrorPolicy` keeps: the product's own branches and its ledger, whose upstream copy is
/// fetched beside the local one. Nothing else of the upstream's notes is fetched.
public struct Mirror: Hashable, Sendable {
    static let fetchRefspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    /// The consumer's name: the folder name without `.git`.
    public var name: String
    /// The bare repository's path.
    public var path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    /// The mirror name a source gets: its last path component without `.git`.
    public static func name(forSource source: String) -> String {
        var trimmed = Substring(source)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        var last = trimmed.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? String(trimmed)
        if last.hasSuffix(".git") { last.removeLast(4) }
        return last
    }

    /// Every `*.git` directory of a mirrors directory, sorted by name.
    public static func all(in directory: String) throws -> [Mirror] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return names.filter { $0.hasSuffix(".git") && !$0.hasPrefix(".") }.sorted().map {
            Mirror(name: String($0.dropLast(4)), path: (directory as NSString).appendingPathComponent($0))
        }
    }

    /// What a sync did.
    public struct SyncResult: Sendable, Hashable {
        public var mirror: String
        /// The default branch and its commit; nil when the upstream has no commits.
        public var defaultBranch: String?
        public var head: ObjectID?
        public var updatedReferences: Int
        public var deletedReferences: Int
        public var created: Bool
    }

    /// Makes a new mirror of `source` in `directory`, or syncs the existing one. A mirror that
    /// cannot be made is removed again: nothing half-made stays behind.
    public static func add(source: String, in directory: String, policy: MirrorPolicy) throws -> SyncResult {
        let url = normalizedURL(source)
        let name = Mirror.name(forSource: source)
        guard !name.isEmpty else { throw InputError("\(source): cannot derive a mirror name from this source") }
        let mirror = Mirror(name: name, path: (directory as NSString).appendingPathComponent(name + ".git"))
        if FileManager.default.fileExists(atPath: mirror.path) {
            return try mirror.sync(policy: policy)
        }
        if !url.contains("://"), !url.contains("@"), !FileManager.default.fileExists(atPath: url) {
            throw InputError("\(source): no such repository")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            let repository = try Repository.initialize(mirror.path, bare: true)
            try repository.setConfig("remote.origin.url", url)
            for refspec in fetchRefspecs { try repository.addConfig("remote.origin.fetch", refspec) }
            try repository.setConfig("remote.origin.mirror", "true")
            try repository.setConfig("notes.rewriteRef", policy.ledgerRef)
            try repository.setConfig("notes.displayRef", policy.ledgerRef)
            var result = try mirror.sync(repository, policy: policy)
            result.created = true
            return result
        } catch {
            try? FileManager.default.removeItem(atPath: mirror.path)
            throw error
        }
    }

    /// Fetches the upstream into the mirror; see the type's comment for what is kept.
    public func sync(policy: MirrorPolicy) throws(GitError) -> SyncResult {
        try sync(try Repository.open(path), policy: policy)
    }

    func sync(_ repository: Repository, policy: MirrorPolicy) throws(GitError) -> SyncResult {
        guard let url = try repository.config("remote.origin.url") else {
            throw GitError(operation: "sync", repository: name, message: "the mirror has no remote.origin.url")
        }
        // libgit2 calls a local path that is gone an "unsupported URL protocol".
        if let local = Mirror.localPath(of: url), !FileManager.default.fileExists(atPath: local) {
            throw GitError(operation: "sync", repository: name, message: "the upstream \(url) no longer exists")
        }
        let ownBranches = try repository.references(matching: policy.ownBranchPrefix + "*")
        let before = try repository.references(matching: "refs/*")
        let advertised = try repository.fetch(
            from: url, refspecs: Mirror.fetchRefspecs + ["+\(policy.ledgerRef):\(policy.upstreamLedgerRef)"])
        // An upstream's copy of an own branch never replaces the local one.
        for (reference, target) in ownBranches where try repository.referenceTarget(reference) != target {
            try repository.setReference(reference, to: target, message: "skein: keep local branch")
        }
        let upstream = Set(advertised.map(\.name))
        var deleted = 0
        for reference in before.keys.sorted() where !upstream.contains(reference) {
            let followsUpstream = reference.hasPrefix("refs/heads/") || reference.hasPrefix("refs/tags/")
            guard followsUpstream, !reference.hasPrefix(policy.ownBranchPrefix) else { continue }
            try repository.deleteReference(reference)
            deleted += 1
        }
        if !upstream.contains(policy.ledgerRef) { try repository.deleteReference(policy.upstreamLedgerRef) }
        for retired in policy.retiredRefs { try repository.deleteReference(retired) }
        if let head = advertised.first(where: { $0.name == "HEAD" }), let branch = head.symbolicTarget {
            try repository.setHead(branch)
        } else if let first = advertised.first(where: { $0.name.hasPrefix("refs/heads/") && !$0.name.hasPrefix(policy.ownBranchPrefix) }) {
            // An upstream that does not say which branch is its default: take the first.
            if try repository.referenceTarget(try repository.headReferenceName() ?? "HEAD") == nil {
                try repository.setHead(first.name)
            }
        }
        let after = try repository.references(matching: "refs/*")
        let updated = after.filter { before[$0.key] != $0.value && $0.key != policy.upstreamLedgerRef }.count
        let branch = try repository.headReferenceName()
        let head = try branch.flatMap { (name) throws(GitError) in try repository.referenceTarget(name) }
        return SyncResult(
            mirror: name, defaultBranch: head == nil ? nil : branch, head: head,
            updatedReferences: updated, deletedReferences: deleted, created: false)
    }

    /// The upstream URL recorded in the mirror.
    public func upstreamURL() throws(GitError) -> String {
        guard let url = try Repository.open(path).config("remote.origin.url") else {
            throw GitError(operation: "read upstream", repository: name, message: "the mirror has no remote.origin.url")
        }
        return url
    }

    static func normalizedURL(_ source: String) -> String {
        if source.contains("://") || (source.contains("@") && source.contains(":")) { return source }
        let absolute = source.hasPrefix("/") ? source
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(source)
        return (absolute as NSString).standardizingPath
    }
}

extension Mirror {
    /// The folder an absolute local upstream URL names (`/path`, `file:///path`); nil for
    /// network transports, scp-like `host:path` and relative paths.
    static func localPath(of url: String) -> String? {
        if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
        return url.hasPrefix("/") ? url : nil
    }
}
