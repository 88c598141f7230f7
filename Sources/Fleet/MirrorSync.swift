import Foundation
import GitKit
import Ledger
import SkeinBasics

/// The outcome of mirroring or syncing one upstream.
public struct MirrorOutcome: Sendable {
    public var name: String
    public var result: Mirror.SyncResult?
    public var error: String?
    /// True when the error is the user's (a source that does not exist).
    public var isBadInput: Bool = false

    public var line: String {
        if let error { return error.hasPrefix(name + ":") ? error : "\(name): \(error)" }
        guard let result else { return name }
        guard let branch = result.defaultBranch, let head = result.head else {
            return "\(name): mirrored, but the upstream has no commits"
        }
        let verb = result.created ? "mirrored" : "synced"
        let shortBranch = branch.replacingOccurrences(of: "refs/heads/", with: "")
        return "\(name): \(verb) \(shortBranch) at \(head.short) (\(result.updatedReferences) refs updated, \(result.deletedReferences) deleted)"
    }
}

/// Makes and refreshes mirrors, many at once; one failing mirror never stops the others.
public enum MirrorSync {
    /// Mirrors each source into `directory` (an existing mirror of the same name is synced).
    /// With `shard`, only the sources whose mirror name falls in it (the hash `run --shard` uses).
    public static func add(sources: [String], into directory: String, jobs: Int, shard: Shard? = nil) async -> [MirrorOutcome] {
        let sources = sources.filter { shard?.contains(Mirror.name(forSource: $0)) ?? true }
        return await concurrentMap(sources, limit: jobs) { source in
            let name = Mirror.name(forSource: source)
            do {
                // Every write to a mirror happens under its lock, runs' and syncs' alike.
                let lock = try MirrorLock(path: FleetLayout(mirrors: directory).lock(name))
                defer { lock.release() }
                let result = try Mirror.add(source: source, in: directory, policy: Ledger.mirrorPolicy)
                try Ledger.mergeUpstream(intoMirrorAt: result.mirrorPath(in: directory))
                return MirrorOutcome(name: name, result: result)
            } catch let error as InputError {
                return MirrorOutcome(name: name, error: error.description, isBadInput: true)
            } catch {
                return MirrorOutcome(name: name, error: String(describing: error))
            }
        }
    }

    /// Fetches every mirror of `directory` from its upstream; with `shard`, only those in it.
    public static func syncAll(in directory: String, jobs: Int, shard: Shard? = nil) async throws -> [MirrorOutcome] {
        let mirrors = try Mirror.all(in: directory).filter { shard?.contains($0.name) ?? true }
        return await concurrentMap(mirrors, limit: jobs) { mirror in
            do {
                let lock = try MirrorLock(path: FleetLayout(mirrors: directory).lock(mirror.name))
                defer { lock.release() }
                let result = try mirror.sync(policy: Ledger.mirrorPolicy)
                try Ledger.mergeUpstream(intoMirrorAt: mirror.path)
                return MirrorOutcome(name: mirror.name, result: result)
            } catch {
                return MirrorOutcome(name: mirror.name, error: String(describing: error))
            }
        }
    }
}

extension Mirror.SyncResult {
    func mirrorPath(in directory: String) -> String {
        (directory as NSString).appendingPathComponent(mirror + ".git")
    }
}
