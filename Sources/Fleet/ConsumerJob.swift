import Foundation
import GitKit
import Ledger
import Rewrite
import Sandbox
import Schema
import SkeinBasics

/// What happened to one consumer in a run.
public struct ConsumerOutcome: Sendable {
    public var repo: String
    /// The ledger line written (or found, when `reused`); nil when the consumer was not handled.
    public var entry: LedgerEntry?
    /// Why the consumer was passed over without a new ledger line.
    public var note: String?
    /// True when the ledger already held a final outcome for this base and these rules.
    public var reused = false
    /// `--dry-run`: the diff that would be committed.
    public var diff: String?
    /// Seconds spent per phase (`worktree`, `index`, `rewrite`, `test-base`, `test-after`, `commit`).
    public var phases: [String: Double] = [:]

    public var status: MigrationStatus? { entry?.status }
}

/// Shared across the jobs of one run: how many new branches may still be made.
final class BranchBudget: Sendable {
    private let remaining: Locked<Int?>
    init(_ limit: Int?) { remaining = Locked(limit) }
    func reserve() -> Bool {
        remaining.withLock { remaining in
            guard let left = remaining else { return true }
            guard left > 0 else { return false }
            remaining = left - 1
            return true
        }
    }
}

/// Migrates one consumer, phase by phase, each handing the next a typed value:
///
///     prepare ─ reuse? ─► check out ─► plan ─► test base ─► write ─► test after ─► decide ─► commit ─► record
///
/// `prepare` sweeps what a killed run left and stops when the ledger already holds a final
/// outcome for this base and these rules. Every phase that makes something registers its undo
/// first (`Undo`), so an error at any point leaves either the finished state or nothing. The
/// note is written only after the branch is in place: the ledger never claims what git does
/// not hold. `decide` (Decision.swift) is the one place a status is chosen.
struct ConsumerJob {
    let migration: Migration
    let consumer: Consumer
    let layout: FleetLayout
    let options: RunOptions
    let budget: BranchBudget
    let testSlots: DispatchSemaphore
    var stop = StopSignal()
    /// Told when the job enters a phase, for the terminal's progress line.
    var phase: @Sendable (String) -> Void = { _ in }
    /// The rollout wave (from 1), recorded on each new ledger line.
    var wave: Int? = nil

    var branch: MigrationBranch { MigrationBranch(migration.id) }
    /// The base every phase works from: the default branch's tip as discovery read it.
    var base: ObjectID { consumer.base }

    func run() -> ConsumerOutcome {
        var attempt = 0
        while true {
            do {
                return try attemptOnce()
            } catch let fault as TransientFault where fault.isTransient && attempt < options.retries {
                attempt += 1
                let delay = options.backoff * pow(2, Double(attempt - 1)) * Double.random(in: 0.5...1.5)
                Thread.sleep(forTimeInterval: delay)
            } catch {
                return recordError(layout.scrub(String(describing: error)), interrupted: error is Interrupted)
            }
        }
    }

    private func attemptOnce() throws -> ConsumerOutcome {
        var clock = PhaseClock()
        let lock = try MirrorLock(path: layout.lock(consumer.repo))
        defer { lock.release() }
        let mirror = try Repository.open(consumer.mirrorPath)
        let ledger = Ledger(repository: mirror, signature: options.signature)

        if let previous = try prepare(mirror: mirror, ledger: ledger) {
            var outcome = ConsumerOutcome(repo: consumer.repo, entry: previous)
            outcome.reused = true
            return outcome
        }
        if options.dryRun { return try dryRun(mirror: mirror) }

        let undo = Undo()
        defer { undo.run() }
        var checkout = try checkOut(mirror: mirror, undo: undo)
        clock.lap("worktree")
        phase("building for the compiler index")
        let index = try buildIndex(&checkout)
        clock.lap("index")
        phase("rewriting")
        var planned = try plan(checkout, index: index)
        clock.lap("rewrite")

        guard planned.changesFiles else {
            // Nothing to commit: no branch; the note goes on the base commit.
            let decision = Decision.decide(evidence(planned, changedFiles: 0, tests: nil))
            return try record(decision, planned: planned, commit: nil, files: [], tests: nil, on: ledger, clock: clock)
        }
        guard budget.reserve() else {
            return ConsumerOutcome(repo: consumer.repo, note: "deferred: --max-branches reached")
        }

        if !checkout.dependenciesFetched { checkout.dependencies = try fetchDependencies(checkout) }
        phase("testing at the base")
        let baseline = try testBase(checkout, mirror: mirror)
        clock.lap("test-base")
        let written = try write(planned, in: checkout, mirror: mirror)
        clock.lap("rewrite")
        phase("testing")
        var (tested, repair) = try testAfter(checkout, baseline: baseline, planned: planned)
        // What skein wrote, with what the repair round rewrote in place of the planned bytes.
        let files = MigrationFiles.planned(repair.edits).reduce(into: written) { files, repaired in
            files.removeAll { $0.path == repaired.path }
            files.append(repaired)
        }
        tested.tampering = MigrationFiles.tampering(files, worktree: checkout.path)
        clock.lap("test-after")
        planned.repairs = repair.notes

        phase("committing")
        let staged = try stage(files, mirror: mirror)
        guard !staged.files.isEmpty else {
            let decision = Decision.decide(evidence(planned, changedFiles: 0, tests: nil))
            return try record(decision, planned: planned, commit: nil, files: [], tests: nil, on: ledger, clock: clock)
        }
        let decision = Decision.decide(evidence(planned, changedFiles: staged.files.count, tests: tested))
        let made = try commit(staged, decision: decision, planned: planned, tested: tested, baseline: baseline, mirror: mirror)
        clock.lap("commit")
        return try record(
            decision, planned: planned, commit: made, files: staged.files, tests: tested, baseline: baseline, on: ledger,
            clock: clock)
    }
}

// MARK: - Phases

extension ConsumerJob {
    /// A checked-out worktree on `skein/<id>` at the base, with the consumer's own settings.
    struct Checkout {
        var worktree: Worktree
        var path: String
        var settings: ConsumerSettings
        var workspace: Workspace
        /// Local copies of the package's dependencies, which every step resolves from.
        var dependencies: DependencyMirrors?
        /// Whether they were fetched already (a package may have none).
        var dependenciesFetched = false
    }

    /// What planning found: the edits, the `run` rules' commands, and the references.
    struct Planned {
        var plan: RewriteResult
        var commands: [String]
        /// How the compiler index for the Swift renames was got, or why there is none.
        var index = CompilerIndexBuild.Outcome()
        /// Tokens repaired after the build, the compiler having named them.
        var repairs: [String] = []
        var changesFiles: Bool { !plan.edits.isEmpty || !commands.isEmpty }
        /// A base that does not build matters to a person only when there was something to rename.
        var attention: [String] { plan.attention.map(\.description) + (plan.referencesFound > 0 ? index.attention : []) }
        var resolvedBy: [String] { index.notes + (plan.referencesFound > 0 ? [] : index.attention) + plan.resolvedBy + repairs }
    }

    /// The after-tests and how they compare with the base's.
    typealias Tested = Decision.Tests

    /// The migration's tree, staged from what skein wrote, and the files it changes.
    struct Staged {
        var packed: PackedWrites
        var tree: ObjectID
        var files: [String]
    }

    /// Sweeps this consumer's leftovers and returns the ledger's final outcome for this base
    /// and these rules, when there is one to reuse.
    func prepare(mirror: Repository, ledger: Ledger) throws -> LedgerEntry? {
        // What a killed run left of this consumer goes before anything else, recorded or not.
        if !options.dryRun { Leftovers.sweep(mirror: mirror, repo: consumer.repo, layout: layout, migration: migration.id) }
        // Only lines that can be checked here may skip the consumer (LedgerTrust).
        let trusted = try LedgerTrust(repository: mirror).trustedEntries().filter {
            $0.migration == migration.id && $0.repo == consumer.repo
        }
        // Merged stays merged, rolled back stays rolled back (until --retry-failed), whatever the base.
        if let kept = SettledOutcome.kept(trusted, migration: migration.id, in: mirror, retryFailed: options.retryFailed) { return kept }
        let previous = latestEntries(trusted)[migration.id]
        guard let previous, previous.base == base.hex,
              previous.rules == migration.rulesFingerprint,
              !previous.interrupted,
              !(options.retryFailed && [.testsFailed, .error, .needsHuman, .rolledBack].contains(previous.status))
        else { return nil }
        return previous
    }

    /// Makes the worktree (and the branch at the base); the undo removes both unless the
    /// branch got a commit or `--keep-worktrees` asks to keep the worktree.
    func checkOut(mirror: Repository, undo: Undo) throws -> Checkout {
        let name = FleetLayout.worktreeName(consumer.repo, migration.id)
        let path = layout.worktree(consumer.repo, migration.id)
        let reference = branch.reference
        let keep = options.keepWorktrees
        // Registered before the worktree exists: whatever happens next, it is cleaned up.
        undo.register {
            let worktree = Worktree(name: name, path: path, branch: reference)
            if keep, FileManager.default.fileExists(atPath: path) {
                try? worktree.keep(in: mirror, reason: "kept by skein run --keep-worktrees")
            } else {
                try? worktree.remove(from: mirror)
            }
            // An attempt that made no commit leaves no branch behind.
            if (try? mirror.referenceTarget(reference)) == base { try? mirror.deleteReference(reference) }
        }
        try Worktree.pruneStale(in: mirror)
        let entries = try Worktree.names(in: mirror)
        if FileManager.default.fileExists(atPath: path) || entries.contains(name) {
            try Worktree(name: name, path: path, branch: reference).remove(from: mirror)
        }
        let worktree = try Worktree.add(to: mirror, name: name, path: path, branch: reference, at: base)
        let settings = try consumerSettings(in: path)
        return Checkout(
            worktree: worktree, path: path, settings: settings, workspace: Workspace(root: path, exclude: settings.exclude))
    }

    /// Builds the base for its compiler index when a Swift rename has files to look at
    /// (CompilerIndexBuild.swift).
    /// The sandbox has no network, so a build that happens fetches the package's dependencies
    /// first (and the later steps reuse them).
    func buildIndex(_ checkout: inout Checkout) throws -> CompilerIndexBuild.Outcome {
        let names = Migrator(migration: migration).compilerIndexNames(checkout.workspace)
        if !names.isEmpty, FileManager.default.fileExists(atPath: checkout.path + "/Package.swift") {
            checkout.dependencies = try fetchDependencies(checkout)
            checkout.dependenciesFetched = true
        }
        return CompilerIndexBuild(
            names: names, runner: TestRunner(policy: policy(checkout, phase: "index")), sandboxed: { try sandboxed($0) },
            testCommand: testCommand(checkout)).run()
    }

    func plan(_ checkout: Checkout, index: CompilerIndexBuild.Outcome) throws -> Planned {
        let plan = try RewriteWorker.plan(migration, checkout.workspace, compilerIndex: index.index)
        let commands = migration.changes.compactMap { change -> String? in
            if case .run(let command) = change { command } else { nil }
        }
        return Planned(plan: plan, commands: commands, index: index)
    }

    /// The base's test result: from the baseline cache when this base was tested with this
    /// command before, otherwise run now (on the untouched worktree) and cached.
    func testBase(_ checkout: Checkout, mirror: Repository) throws -> TestReport? {
        let command = testCommand(checkout)
        let cache = BaselineCache(repository: mirror, signature: options.signature)
        if let cached = try cache.record(on: base, command: command) { return TestReport(cached) }
        let runner = TestRunner(policy: policy(checkout, phase: "base"))
        _ = try sandboxed { try runner.resolveDependencies() }
        let report = try sandboxed { try runner.runTests(command: command) }
        if let record = report.baselineRecord(command: command, layout: layout) { try cache.store(record, on: base) }
        return report
    }

    /// Writes the planned edits and runs the `run` rules' commands in the sandbox. Returns what
    /// the commit will hold: the edits' bytes, and what the commands produced, read right after
    /// they ran (MigrationFiles), never after the tests.
    func write(_ planned: Planned, in checkout: Checkout, mirror: Repository) throws -> [StagedFile] {
        if !planned.commands.isEmpty {
            // A run rule's output is read from the worktree: it starts from a clean checkout, so
            // that nothing the base tests left there is taken for it.
            try checkout.worktree.remove(from: mirror)
            _ = try Worktree.add(to: mirror, name: checkout.worktree.name, path: checkout.path, branch: branch.reference, at: base)
        }
        _ = try checkout.workspace.write(planned.plan.edits)
        var written = MigrationFiles.planned(planned.plan.edits)
        for command in planned.commands {
            let runner = TestRunner(policy: policy(checkout, phase: "run"))
            let result = try sandboxed { try runner.run(command: command) }
            if result.timedOut || result.status != 0 {
                throw FleetError("`\(command)` \(result.timedOut ? "timed out" : "exited with \(result.status)") (log: \(layout.relative(result.logPath)))")
            }
            written = try MigrationFiles.produced(worktree: checkout.path, by: command)
        }
        return written
    }

    /// Fetches the package's dependencies for its sandbox, which has no network.
    func fetchDependencies(_ checkout: Checkout) throws -> DependencyMirrors? {
        try sandboxed {
            try DependencyFetch(directory: layout.dependencies).prepare(worktree: checkout.path) {
                try TestRunner(policy: policy(checkout, phase: "manifest")).dumpPackage()
            }
        }
    }

    /// The tests after the rewrite: a compiler crash is run once more (AfterBuild.swift), and a
    /// build failing on a member the migration renamed gets one repair round (RepairRound.swift)
    /// over skein's own planned bytes (none when `run` rules made the files).
    func testAfter(_ checkout: Checkout, baseline: TestReport?, planned: Planned) throws -> (tested: Tested, repair: RepairRound.Outcome) {
        let command = testCommand(checkout)
        let runner = TestRunner(policy: policy(checkout, phase: "after"))
        let first = try AfterBuild.run(runner, command: command, sandboxed: { try sandboxed($0) })
        let repair = try RepairRound(
            migration: migration, workspace: checkout.workspace, runner: runner, command: command,
            planned: planned.commands.isEmpty ? planned.plan.edits : [])
            .run(after: first.report, crash: first.crash, sandboxed: { try sandboxed($0) })
        let after = repair.report
        let verdict = try Baseline.compare(base: baseline, after: after) { failing in
            try sandboxed { try runner.rerun(tests: failing, command: command) }
        }
        return (Tested(after: after, verdict: verdict, base: base.short, timeout: timeout(checkout), command: command,
                       crash: repair.crash), repair)
    }

    /// Stages the migration's tree onto the base's, from the bytes skein holds (nothing is read
    /// from the worktree). New blobs, trees and the commit are written as one pack once the
    /// commit is made.
    func stage(_ written: [StagedFile], mirror: Repository) throws -> Staged {
        let packed = try PackedWrites(opening: consumer.mirrorPath)
        let repository = packed.repository
        let baseTree = try mirror.commit(base).tree
        let tree = try repository.stage(written, onto: baseTree)
        let files = try repository.changedPaths(from: baseTree, to: tree).compactMap { $0.new ?? $0.old }
        return Staged(packed: packed, tree: tree, files: files)
    }

    /// Makes the migration commit and moves `skein/<id>` to it (only from the base).
    func commit(
        _ staged: Staged, decision: Decision, planned: Planned, tested: Tested, baseline: TestReport?, mirror: Repository
    ) throws -> ObjectID {
        let message = CommitMessage(
            migration: migration, base: base.hex, status: decision.status, counts: planned.plan.counts, files: staged.files,
            tests: .init(command: tested.command, base: baseline, after: tested.after), attention: decision.attention,
            error: decision.error.map(layout.scrub), resolvedBy: planned.resolvedBy)
        let made = try staged.packed.repository.createCommit(
            tree: staged.tree, parents: [base], message: message.text, author: options.signature, committer: options.signature)
        try staged.packed.flush()
        try mirror.setReference(
            branch.reference, to: made, expected: base, message: "commit: " + message.text.prefix { $0 != "\n" })
        guard try mirror.referenceTarget(branch.reference) == made else {
            throw FleetError("\(branch) does not point at the new commit \(made.short); nothing recorded")
        }
        return made
    }

    /// Writes the ledger line: on the migration commit, or on the base when there is none.
    func record(
        _ decision: Decision, planned: Planned, commit: ObjectID?, files: [String], tests: Tested?,
        baseline: TestReport? = nil, on ledger: Ledger, clock: PhaseClock
    ) throws -> ConsumerOutcome {
        var entry = LedgerEntry(
            migration: migration.id, status: decision.status, repo: consumer.repo, base: base.hex, commit: commit?.hex,
            schemaCommit: migration.schemaCommit, files: commit == nil ? nil : files,
            attention: decision.attention.isEmpty ? nil : decision.attention, error: decision.error.map(layout.scrub),
            durationSeconds: clock.total)
        entry.rules = migration.rulesFingerprint
        entry.undeclared = !consumer.declared
        entry.owner = consumer.owner
        entry.resolvedBy = planned.resolvedBy
        entry.fromVersion = migration.fromVersion(applied: planned.plan.counts.merging(planned.plan.found, uniquingKeysWith: +))
        if commit != nil { entry.branch = branch.name }
        entry.wave = wave
        if let tests {
            let after = tests.after
            entry.tests = TestCounts(passed: after.passed, failed: after.failed, skipped: after.skipped)
            entry.log = layout.relative(after.logPath)
            entry.testCommand = tests.command
            if !after.notes.isEmpty { entry.extra["sandbox_notes"] = .array(after.notes.map(JSONValue.string)) }
            if let baseline { entry.extra["base_tests"] = baseline.ledgerCounts }
        }
        try ledger.append(entry, on: commit ?? base)
        var outcome = ConsumerOutcome(repo: consumer.repo, entry: entry)
        outcome.phases = clock.phases
        return outcome
    }

    /// The evidence `decide` reads.
    func evidence(_ planned: Planned, changedFiles: Int, tests: Tested?) -> Decision.Evidence {
        Decision.Evidence(
            migration: migration.id, changedFiles: changedFiles, referencesFound: planned.plan.referencesFound,
            rewriteAttention: planned.attention,
            // What discovery could not read (a broken descriptor) is for the reviewer to fix.
            notes: consumer.problems, tests: tests)
    }
}

// MARK: - Dry run, errors, settings

extension ConsumerJob {
    /// `--dry-run`: rewrite a throwaway export of the base and return the diff; no ref moves.
    func dryRun(mirror: Repository) throws -> ConsumerOutcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skein-dry-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try mirror.export(base, to: directory)
        let settings = try consumerSettings(in: directory)
        let workspace = Workspace(root: directory, exclude: settings.exclude)
        let planned = Planned(plan: try RewriteWorker.plan(migration, workspace), commands: [])
        var diff = ""
        for edit in planned.plan.edits {
            let old = FileRead.text(directory + "/" + edit.path) ?? ""
            diff += unifiedDiff(old: old, new: edit.newText, path: edit.path)
        }
        let decision = Decision.decide(evidence(planned, changedFiles: planned.plan.edits.count, tests: nil))
        var outcome = ConsumerOutcome(repo: consumer.repo)
        // A dry run builds nothing: its Swift renames are the syntax resolver's, and it says so.
        let renames = !diff.isEmpty && !Migrator(migration: migration).compilerIndexNames(workspace).isEmpty
        outcome.diff = renames ? CompilerIndexBuild.dryRunNote + diff : diff
        outcome.entry = LedgerEntry(
            migration: migration.id, status: decision.status, repo: consumer.repo, base: base.hex,
            schemaCommit: migration.schemaCommit, files: planned.plan.edits.map(\.path),
            attention: decision.attention.isEmpty ? nil : decision.attention)
        return outcome
    }

    /// Records an `error` outcome on the base commit when the mirror can still be written.
    func recordError(_ message: String, interrupted: Bool = false) -> ConsumerOutcome {
        var outcome = ConsumerOutcome(repo: consumer.repo)
        var entry = LedgerEntry(
            migration: migration.id, status: .error, repo: consumer.repo, base: base.hex, commit: nil,
            schemaCommit: migration.schemaCommit, error: message)
        entry.rules = migration.rulesFingerprint
        entry.owner = consumer.owner
        entry.interrupted = interrupted
        entry.wave = wave
        outcome.entry = entry
        guard !options.dryRun else { return outcome }
        do {
            let lock = try MirrorLock(path: layout.lock(consumer.repo))
            defer { lock.release() }
            let mirror = try Repository.open(consumer.mirrorPath)
            try Ledger(repository: mirror, signature: options.signature).append(entry, on: base)
        } catch {
            outcome.note = "the error could not be recorded in the ledger: \(error)"
        }
        return outcome
    }

    func consumerSettings(in root: String) throws -> ConsumerSettings {
        let path = root + "/.skein.yaml"
        var status = stat()
        // A link is never followed out of the worktree.
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
              let text = FileRead.text(path)
        else { return ConsumerSettings() }
        return try ConsumerSettings.parse(text, path: ".skein.yaml")
    }

    func testCommand(_ checkout: Checkout) -> String { checkout.settings.testCommand ?? options.testCommand }
    /// A consumer may ask for less time than the fleet gives, never more.
    func timeout(_ checkout: Checkout) -> Double { min(checkout.settings.testTimeout ?? options.timeout, options.timeout) }

    func policy(_ checkout: Checkout, phase: String) -> SandboxPolicy {
        var policy = SandboxPolicy(
            worktree: checkout.path, buildCache: layout.buildCache(consumer.repo),
            logFile: layout.log(migration.id, consumer.repo, phase), timeout: timeout(checkout), mode: options.sandbox)
        policy.dependencies = checkout.dependencies
        return policy
    }

    /// Runs sandboxed work within the run's bound on concurrent test runs. A stopped run starts
    /// no new step; a step killed at the end of the stop's grace makes the consumer
    /// `error: interrupted`, never a test failure.
    func sandboxed<T>(_ body: () throws -> T) throws -> T {
        testSlots.wait()
        defer { testSlots.signal() }
        guard !stop.isStopped else { throw Interrupted() }
        let result = try body()
        if RunningProcesses.terminated { throw Interrupted() }
        return result
    }
}

/// Undo actions registered by the phases before they make something; run in reverse order
/// when the attempt ends, however it ends.
final class Undo {
    private var actions: [() -> Void] = []
    func register(_ action: @escaping () -> Void) { actions.append(action) }
    func run() {
        while let action = actions.popLast() { action() }
    }
}

/// Seconds spent per phase of one consumer.
struct PhaseClock {
    private let started = Date()
    private var mark = Date()
    private(set) var phases: [String: Double] = [:]

    mutating func lap(_ phase: String) {
        let now = Date()
        phases[phase, default: 0] += now.timeIntervalSince(mark)
        mark = now
    }

    var total: Double { Date().timeIntervalSince(started) }
}

extension TestReport {
    /// The baseline cache's record of this report; nil for runs that tell nothing about the
    /// base (timed out, sandbox failure).
    func baselineRecord(command: String, layout: FleetLayout) -> BaselineRecord? {
        let outcome: BaselineRecord.Outcome
        switch self.outcome {
        case .passed: outcome = .passed
        case .testsFailed: outcome = .testsFailed
        case .buildFailed: outcome = .buildFailed
        case .timedOut, .sandboxFailed: return nil
        }
        return BaselineRecord(
            command: command, outcome: outcome, passed: passed, failed: failed, skipped: skipped,
            failing: failingTests, log: layout.relative(logPath))
    }

    init(_ record: BaselineRecord) {
        let outcome: Outcome = switch record.outcome {
        case .passed: .passed
        case .testsFailed: .testsFailed
        case .buildFailed: .buildFailed
        }
        self.init(
            outcome: outcome, passed: record.passed, failed: record.failed, skipped: record.skipped,
            failingTests: record.failing, buildErrors: [], logPath: record.log, duration: 0,
            notes: ["from the baseline cache"])
    }
}
