import Foundation
import GitKit
import Sandbox
import SkeinBasics

/// What the registry's hooks set off: the schema files a range changed, queued for a run that a
/// detached worker starts, one run at a time, in order (SPEC §9).
public enum Trigger {
    /// What a trigger did.
    public struct Queued: Sendable {
        /// `OLD..NEW` shortened, or `NEW` for a first push.
        public var range: String
        /// Dataset and migration files the range changed; empty when nothing was queued.
        public var schemaFiles: [String]
        public var log: String?
    }

    /// Queues `old..new` of the registry when it changed `datasets/` or `migrations/` files and
    /// starts a detached worker running `executable worker...` to drain the queue. `old` nil
    /// means HEAD's first parent; all zeros means a new branch.
    public static func queue(
        registry path: String, old: String?, new: String?, executable: String, worker: [String]
    ) throws -> Queued {
        let repository = try Repository.discover(from: path)
        let queue = TriggerQueue(gitDirectory: repository.commonDirectory)
        let newCommit = try repository.resolve(new ?? "HEAD")
        let oldCommit: ObjectID? = if let old {
            old.allSatisfy({ $0 == "0" }) ? nil : try repository.resolve(old)
        } else {
            try repository.commit(newCommit).parents.first
        }
        let oldTree = try oldCommit.map { (id) throws(GitError) in try repository.commit(id).tree }
        let changed = try repository.changedPaths(from: oldTree, to: try repository.commit(newCommit).tree)
            .flatMap { [$0.old, $0.new].compactMap { $0 } }
            .filter { ($0.hasPrefix("datasets/") || $0.hasPrefix("migrations/")) && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
        let range = "\(oldCommit.map { $0.short + ".." } ?? "")\(newCommit.short)"
        guard !changed.isEmpty else { return Queued(range: range, schemaFiles: []) }
        try queue.enqueue(old: oldCommit?.hex ?? String(repeating: "0", count: 40), new: newCommit.hex)
        let log = queue.logDirectory + "/trigger-\(Timestamp.now().replacingOccurrences(of: ":", with: "")).log"
        _ = try Detached.spawn(executable, worker, log: log)
        return Queued(range: range, schemaFiles: changed, log: log)
    }

    /// Drains the registry's queue if no other worker does: `run` gets the arguments of a
    /// `skein run` for each queued range, in order; what it returns is logged, never a reason
    /// to stop. Returns false when another worker holds the queue.
    public static func drain(registry path: String, run: ([String]) async -> Int32) async throws -> Bool {
        // Read what the runs need, then let the repository go: no handle is held across `await`.
        let (gitDirectory, mirrors) = try { () throws -> (String, String?) in
            let repository = try Repository.discover(from: path)
            return (repository.commonDirectory, try repository.config("skein.mirrors"))
        }()
        var arguments = ["run", "--registry", path]
        if let mirrors { arguments += ["--mirrors", mirrors] }
        return try await TriggerQueue(gitDirectory: gitDirectory).drain { old, new in
            print("[\(Timestamp.now())] skein run for \(old.prefix(10))..\(new.prefix(10))")
            let code = await run(arguments + ["--commit", new, "--since", old])
            print("[\(Timestamp.now())] finished with exit code \(code)")
        }
    }
}
