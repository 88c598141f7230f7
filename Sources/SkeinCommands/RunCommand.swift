import ArgumentParser
import Fleet
import Foundation
import Ledger
import Sandbox
import Schema
import SkeinBasics

/// `skein run`: migrate every consumer of a schema change or explicit migration.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Migrate every consumer of a schema change.",
        discussion: """
            Derives the migrations of a registry commit (default: HEAD) or reads an explicit migration \
            file, finds the consumers among the mirrors, rewrites each on a skein/<migration> branch, \
            runs its tests in a sandbox before and after, and records the outcome in refs/notes/skein. \
            Exit 0 when every consumer ended well, 1 when some ended tests-failed, needs-human or error, \
            2 for bad input.
            """)

    @OptionGroup var fleet: RegistryFleetOptions
    @Option(help: "The registry commit whose schema changes to migrate (default: HEAD).") var commit: String?
    @Option(help: "An explicit migration file (migrations/<id>.yaml).") var migration: String?
    @Option(help: ArgumentHelp("Migrate every change after this registry commit up to --commit (what the hooks pass).", visibility: .hidden))
    var since: String?
    @Option(name: .customLong("test-jobs"), help: "Sandboxed test runs at once (default: half the cores).") var testJobs: Int?
    @Option(help: "Seconds a consumer's test run may take.") var timeout: Double?
    @Option(help: "Retries for transient faults (never for test failures).") var retries: Int = 2
    @Option(help: "Only these consumers (comma-separated names).") var only: String?
    @Option(name: .customLong("max-branches"), help: "Create at most N new branches in this run.") var maxBranches: Int?
    @Option(help: "Take a stable share I/N of the consumers.") var shard: String?
    @Flag(name: .customLong("dry-run"), help: "Print each consumer's diff; change nothing.") var dryRun = false
    @Option(help: "bwrap (default) or none.") var sandbox: String?
    @Flag(name: .customLong("keep-worktrees"), help: "Keep each consumer's worktree after the run.") var keepWorktrees = false
    @Option(help: "Write per-phase durations, counts and success rate (JSON) to FILE.") var metrics: String?
    @Flag(name: .customLong("retry-failed"), help: "Also redo consumers that ended tests-failed, error or needs-human, and rolled-back ones.")
    var retryFailed = false

    func validate() throws {
        if commit != nil && migration != nil { throw ValidationError("give --commit or --migration, not both") }
        if let testJobs, testJobs < 1 { throw ValidationError("--test-jobs must be at least 1") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if retries < 0 { throw ValidationError("--retries cannot be negative") }
        if let maxBranches, maxBranches < 0 { throw ValidationError("--max-branches cannot be negative") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes I/N with 0 ≤ I < N, e.g. 0/4") }
        if let sandbox, SandboxMode(rawValue: sandbox) == nil { throw ValidationError("--sandbox takes bwrap or none") }
    }

    func run() async throws {
        let registry = try Registry(path: fleet.registry.registry)
        let settings = registry.settings
        let mirrors = try fleet.mirrorsDirectory(settings)

        var options = RunOptions()
        options.jobs = fleet.jobCount(settings)
        options.testJobs = testJobs ?? options.testJobs
        options.timeout = timeout ?? settings.testTimeout ?? options.timeout
        options.retries = retries
        options.only = only.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
        if let names = options.only { try OnlyNames.check(names, mirrors: mirrors) }
        options.maxBranches = maxBranches
        options.shard = shard.flatMap(Shard.init)
        options.dryRun = dryRun
        options.keepWorktrees = keepWorktrees
        options.retryFailed = retryFailed
        options.metricsFile = metrics
        options.testCommand = settings.testCommand ?? options.testCommand
        options.rollout = settings.rollout
        options.sign(name: settings.userName, email: settings.userEmail)
        let mode = sandbox ?? settings.sandbox ?? "bwrap"
        guard let sandboxMode = SandboxMode(rawValue: mode) else {
            throw InputError("skein.yaml: test.sandbox must be bwrap or none, not \(mode)")
        }
        options.sandbox = sandboxMode
        if sandboxMode == .bubblewrap, !dryRun, let reason = Bubblewrap.unavailableReason() {
            throw InputError(reason)
        }

        let plan: RegistryPlan
        if let migration {
            plan = try registry.plan(migrationFile: migration)
        } else if let since, since.allSatisfy({ $0 == "0" }) == false {
            plan = try registry.plan(from: since, to: commit ?? "HEAD")
        } else {
            plan = try registry.plan(commit: commit)
        }
        for error in plan.errors { FileHandle.standardError.write(Data("skein: error: \(error)\n".utf8)) }
        for note in plan.notes { FileHandle.standardError.write(Data("skein: \(note)\n".utf8)) }
        if plan.migrations.isEmpty {
            if !plan.errors.isEmpty { throw CommandExit(.badInput) }
            print("nothing to migrate")
            return
        }

        let stop = StopSignal()
        stop.install()
        // A migration given by hand has no schema commit of its own to quote.
        let migrations = migration == nil ? registry.withReasons(plan.migrations) : plan.migrations
        // A dry run's diffs are printed as they come, whole, so none is held for the end.
        let output = Locked(())
        let results = try await FleetRun.run(
            migrations, mirrors: mirrors, options: options, progress: Progress(), stop: stop
        ) { _, outcome in
            guard let diff = outcome.diff, !diff.isEmpty else { return }
            output.withLock { _ in FileHandle.standardOutput.write(Data("# \(outcome.repo.terminalSafe)\n\(diff)".utf8)) }
        }
        for result in results {
            for skipped in result.skipped {
                FileHandle.standardError.write(Data("skein: \(skipped.repo.terminalSafe): skipped: \(skipped.reason.terminalSafe)\n".utf8))
            }
            let counts = result.tally.counts.map { key, count in
                (dryRun && key == MigrationStatus.testsPassed.rawValue ? "would change" : key, count)
            }
            let summary = counts.sorted { $0.0 < $1.0 }.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
            let total = result.tally.consumers
            for note in result.notes { FileHandle.standardError.write(Data("skein: \(result.migration.id): \(note)\n".utf8)) }
            print("\(result.migration.id)\(dryRun ? " (dry run)" : ""): \(total) consumer\(total == 1 ? "" : "s"): \(summary.isEmpty ? "none" : summary)")
            if let halt = result.halt { print("\(result.migration.id): \(halt)") }
        }
        if let signal = stop.receivedSignal { throw CommandExit(.stopped(by: signal)) }
        var status = FleetRun.exitStatus(results)
        if !plan.errors.isEmpty, status == .success { status = .someFailed }
        if status != .success { throw CommandExit(status) }
    }
}
