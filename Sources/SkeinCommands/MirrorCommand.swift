import ArgumentParser
import Fleet
import Foundation
import SkeinBasics

/// `skein mirror`: make and refresh the bare mirrors consumers are read from.
struct MirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Make and refresh bare mirrors of consumer repos.",
        subcommands: [Add.self, Sync.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mirror each SOURCE (a path or URL of a repo) into the mirrors directory.",
            discussion: "An existing mirror of the same name is fetched instead.")

        @Option(help: "The mirrors directory (made when missing).") var mirrors: String
        @OptionGroup var jobs: JobsOption
        @Option(help: "Mirror only a stable share I/N of the sources (by name, the same share as `run --shard`).") var shard: String?
        @Argument(help: "Paths or URLs of repos to mirror.") var sources: [String]

        func validate() throws {
            if let shard, Shard(shard) == nil { throw ValidationError("--shard takes I/N with 0 ≤ I < N, e.g. 0/4") }
        }

        func run() async throws {
            let outcomes = await MirrorSync.add(sources: sources, into: mirrors, jobs: jobs.count(), shard: shard.flatMap(Shard.init))
            if let shard { FileHandle.standardError.write(Data("skein: shard \(shard) takes \(outcomes.count) of \(sources.count) sources\n".utf8)) }
            try finish(outcomes)
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch every mirror from its upstream.",
            discussion: "skein/* branches and the refs/notes/skein ledger are kept; the upstream's ledger is merged in.")

        @OptionGroup var mirrors: MirrorsOption
        @OptionGroup var jobs: JobsOption
        @Option(help: "Fetch only a stable share I/N of the mirrors (the same share as `run --shard`).") var shard: String?

        func validate() throws {
            if let shard, Shard(shard) == nil { throw ValidationError("--shard takes I/N with 0 ≤ I < N, e.g. 0/4") }
        }

        func run() async throws {
            try finish(try await MirrorSync.syncAll(in: try mirrors.existing(), jobs: jobs.count(), shard: shard.flatMap(Shard.init)))
        }
    }
}

/// Prints one line per mirror and ends with the contract's exit code: 2 when a source does not
/// exist, 1 when some mirror failed, 0 otherwise.
private func finish(_ outcomes: [MirrorOutcome]) throws {
    for outcome in outcomes {
        // Names and upstream messages come from outside: escaped for the terminal.
        let line = outcome.line.terminalSafe + "\n"
        if outcome.error == nil {
            FileHandle.standardOutput.write(Data(line.utf8))
        } else {
            FileHandle.standardError.write(Data(("skein: " + line).utf8))
        }
    }
    if outcomes.contains(where: \.isBadInput) { throw CommandExit(.badInput) }
    if outcomes.contains(where: { $0.error != nil }) { throw CommandExit(.someFailed) }
}
