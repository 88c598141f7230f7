import ArgumentParser
import Fleet
import Foundation
import SkeinBasics

/// `skein push`: deliver branches and the ledger upstream.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push migration branches and the ledger to each upstream.",
        discussion: "Green migrations of consumers whose .skein.yaml says `automerge: true` are merged into their default branch. The ledger is merged (cat_sort_uniq) and pushed again when the upstream's moved.")

    @OptionGroup var mirrors: MirrorsOption
    @OptionGroup var jobs: JobsOption
    @Option(help: "Push at most N branches the upstreams do not have yet; push again for the rest.") var max: Int?
    @Argument(help: "The migration id.") var migration: String

    func validate() throws {
        if let max, max < 0 { throw ValidationError("--max cannot be negative") }
    }

    func run() async throws {
        let outcomes = try await Delivery.push(
            migration: migration, mirrors: try mirrors.existing(), jobs: jobs.count(), maxNewBranches: max)
        try finishDelivery(outcomes, migration: migration)
    }
}

/// `skein rollback`: undo a migration across the fleet.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo a migration across the fleet.",
        discussion: "Unmerged skein/<id> branches are deleted here and upstream; merged ones get a revert committed on skein/<id>-rollback. Both are recorded as rolled-back in the ledger.")

    @OptionGroup var mirrors: MirrorsOption
    @OptionGroup var jobs: JobsOption
    @Argument(help: "The migration id.") var migration: String

    func run() async throws {
        let outcomes = try await Delivery.rollback(migration: migration, mirrors: try mirrors.existing(), jobs: jobs.count())
        try finishDelivery(outcomes, migration: migration)
    }
}

func finishDelivery(_ outcomes: [DeliveryOutcome], migration: String) throws {
    let touched = outcomes.filter { !$0.actions.isEmpty || $0.error != nil }
    if touched.isEmpty { throw InputError("no consumer has a ledger entry for \(migration)") }
    for outcome in touched {
        let line = outcome.line.terminalSafe
        if outcome.error == nil { print(line) } else { FileHandle.standardError.write(Data("skein: \(line)\n".utf8)) }
    }
    if touched.contains(where: { $0.error != nil }) { throw CommandExit(.someFailed) }
}
