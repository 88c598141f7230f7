import ArgumentParser
import Fleet
import Foundation
import SkeinBasics

/// `skein trigger`: what the registry hooks call. Returns at once: a range with dataset or
/// migration changes is queued and a detached worker runs the queue in order, one run at a
/// time, logging to `<git-dir>/skein/logs/`.
struct TriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Start a run for schema changes (called by the hooks).",
        discussion: "Without OLD NEW, looks at the registry's HEAD against its first parent. Never fails because a run fails: runs log to <git-dir>/skein/logs/.")

    @OptionGroup var registry: RegistryOption
    @Argument(help: "The range OLD NEW a hook saw (OLD may be 40 zeros).") var range: [String] = []
    @Flag(help: ArgumentHelp("Drain the queue (the detached worker).", visibility: .hidden)) var drain = false

    func validate() throws {
        guard range.isEmpty || range.count == 2 else { throw ValidationError("give both OLD and NEW, or neither") }
    }

    func run() async throws {
        let path = try registry.existing()
        if drain {
            let drained = try await Trigger.drain(registry: path) { await SkeinCommand.run(arguments: $0) }
            if !drained { print("another worker is draining the queue") }
            return
        }
        let queued = try Trigger.queue(
            registry: path, old: range.first, new: range.last, executable: currentExecutable(),
            worker: ["trigger", "--drain", "--registry", path])
        guard let log = queued.log else {
            print("no dataset or migration changes in \(queued.range)")
            return
        }
        let files = queued.schemaFiles.count
        print("queued \(queued.range) (\(files) schema file\(files == 1 ? "" : "s")); log: \(log)")
    }
}
