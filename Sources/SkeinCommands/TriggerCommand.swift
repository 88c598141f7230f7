import ArgumentParser
import Fleet
import Foundation
import GitKit
import Sandbox
import SkeinBasics

/// `skein trigger`: what the registry hooks call. Returns at once: a range with dataset or
/// migration changes is queued and a detached worker runs the queue in order, one run at a
/// time, logging to `<git-dir>/skein/logs/`.
struct TriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Start a run for schema changes (called by the hooks).",
        discussion: "Without OLD NEW, looks at the registry's HEAD against its first parent. Never fails because a run fails: runs log to <git-dir>/skein/logs/.")

    @Option(help: "The schema registry.") var registry: String
    @Argument(help: "The range OLD NEW a hook saw (OLD may be 40 zeros).") var range: [String] = []
    @Flag(help: ArgumentHelp("Drain the queue (the detached worker).", visibility: .hidden)) var drain = false

    func validate() throws {
        guard range.isEmpty || range.count == 2 else { throw ValidationError("give both OLD and NEW, or neither") }
    }

    func run() async throws {
        let repository = try openRepository(registry, role: "registry")
        let queue = TriggerQueue(gitDirectory: repository.commonDirectory)
        if drain {
            try await drainQueue(queue, repository: repository)
            return
        }
        let new = try repository.resolve(range.last ?? "HEAD")
        let old: ObjectID? = if let first = range.first {
            first.allSatisfy({ $0 == "0" }) ? nil : try repository.resolve(first)
        } else {
            try repository.commit(new).parents.first
        }
        let oldTree = try old.map { (id) throws(GitError) in try repository.commit(id).tree }
        let changed = try repository.changedPaths(from: oldTree, to: try repository.commit(new).tree)
            .flatMap { [$0.old, $0.new].compactMap { $0 } }
            .filter { ($0.hasPrefix("datasets/") || $0.hasPrefix("migrations/")) && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
        guard !changed.isEmpty else {
            print("no dataset or migration changes in \(old.map { $0.short + ".." } ?? "")\(new.short)")
            return
        }
        try queue.enqueue(old: old?.hex ?? String(repeating: "0", count: 40), new: new.hex)
        let log = queue.logDirectory + "/trigger-\(Timestamp.now().replacingOccurrences(of: ":", with: "")).log"
        _ = try Detached.spawn(currentExecutable(), ["trigger", "--drain", "--registry", absolute(registry)], log: log)
        print("queued \(old.map { $0.short + ".." } ?? "")\(new.short) (\(changed.count) schema file\(changed.count == 1 ? "" : "s")); log: \(log)")
    }

    /// Runs each queued range with `skein run`, in order; failures go to the log, never stop
    /// the queue.
    func drainQueue(_ queue: TriggerQueue, repository: Repository) async throws {
        var base = ["run", "--registry", absolute(registry)]
        if let mirrors = try repository.config("skein.mirrors") { base += ["--mirrors", mirrors] }
        let drained = try await queue.drain { old, new in
            print("[\(Timestamp.now())] skein run for \(old.prefix(10))..\(new.prefix(10))")
            let code = await SkeinCommand.run(arguments: base + ["--commit", new, "--since", old])
            print("[\(Timestamp.now())] finished with exit code \(code)")
        }
        if !drained { print("another worker is draining the queue") }
    }
}
