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
    /// Seconds spent per phase (`worktree`, `rewrite`, `test-base`, `test-after`, `commit`).
    public var phases: [String: Double] = [:]

    public var status: MigrationStatus? { entry?.status }
}

/// Shared across the jobs of one run: how many new branches may still be made.
final class BranchBudget: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int?
    init(_ limit: Int?) { remaining = limit }
    func reserve() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let left = remaining else { return true }
        guard left > 0 else { return false }
        remaining = left - 1
        return true
    }
}

/// Migrates one consumer: base → idempotence check → worktree on `skein/<id>` → rewrites →
/// tests at the base (cached) and after → commit → ledger note → worktree removed.
/// The note is written only after the branch is in place: the ledger never claims what git
/// does not hold.
struct ConsumerJob {
    let migration: Migration
    let consumer: Consumer
    let layout: FleetLayout
    let options: RunOptions
    let budget: BranchBudget
    let testSlots: DispatchSemaphore
    var stop = StopSignal()

    var branch: String { MigrationBranch(migration.id).reference }

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
                return recordError(String(describing: error), interrupted: error is Interrupted)
            }
        }
    }

    /// Records an `error` outcome on the base commit when the mirror can still be written.
    private func recordError(_ message: String, interrupted: Bool = false) -> ConsumerOutcome {
        var outcome = ConsumerOutcome(repo: consumer.repo)
        var entry = LedgerEntry(
            migration: migration.id, status: .error, repo: consumer.repo, base: consumer.base.hex, commit: nil,
            schemaCommit: migration.schemaCommit, error: message,
            extra: ["rules": .string(migration.rulesFingerprint)])
        if interrupted { entry.extra[LedgerEntry.interruptedKey] = .bool(true) }
        outcome.entry = entry
        guard !options.dryRun else { return outcome }
        do {
            let lock = try MirrorLock(path: layout.lock(consumer.repo))
            defer { lock.release() }
            let mirror = try Repository.open(consumer.mirrorPath)
            try Ledger(repository: mirror, signature: options.signature).append(entry, on: consumer.base)
        } catch {
            outcome.note = "the error could not be recorded in the ledger: \(error)"
        }
        return outcome
    }

    private func attemptOnce() throws -> ConsumerOutcome {
        let started = Date()
        var outcome = ConsumerOutcome(repo: consumer.repo)
        var clock = Date()
        func lap(_ phase: String) {
            outcome.phases[phase, default: 0] += Date().timeIntervalSince(clock)
            clock = Date()
        }

        let lock = try MirrorLock(path: layout.lock(consumer.repo))
        defer { lock.release() }
        let mirror = try Repository.open(consumer.mirrorPath)
        let ledger = Ledger(repository: mirror, signature: options.signature)
        let base = try mirror.defaultBranch().commit
        let fingerprint = migration.rulesFingerprint
        // What a killed run left of this consumer goes before anything else, recorded or not.
        if !options.dryRun { Leftovers.sweep(mirror: mirror, repo: consumer.repo, layout: layout, migration: migration.id) }

        if let previous = latestEntries(try ledger.allEntries().map(\.entry).filter {
            $0.migration == migration.id && $0.repo == consumer.repo
        })[migration.id],
            previous.base == base.hex, previous.extra["rules"]?.stringValue == fingerprint,
            previous.extra[LedgerEntry.interruptedKey] != .bool(true),
            !(options.retryFailed && [.testsFailed, .error, .needsHuman].contains(previous.status))
        {
            outcome.entry = previous
            outcome.reused = true
            return outcome
        }

        if options.dryRun { return try dryRun(mirror: mirror, base: base) }

        // A worktree left by a crashed run of this consumer: we hold its lock, so it is stale.
        try Worktree.pruneStale(in: mirror)
        let name = FleetLayout.worktreeName(consumer.repo, migration.id)
        let path = layout.worktree(consumer.repo, migration.id)
        if try FileManager.default.fileExists(atPath: path) || Worktree.names(in: mirror).contains(name) {
            try Worktree(name: name, path: path, branch: branch).remove(from: mirror)
        }
        let worktree = try Worktree.add(to: mirror, name: name, path: path, branch: branch, at: base)
        defer {
            if options.keepWorktrees {
                try? worktree.keep(in: mirror, reason: "kept by skein run --keep-worktrees")
            } else {
                try? worktree.remove(from: mirror)
            }
            // An attempt that made no commit leaves no branch behind.
            if (try? mirror.referenceTarget(branch)) == base { try? mirror.deleteReference(branch) }
        }
        lap("worktree")

        let settings = try consumerSettings(in: path)
        let workspace = Workspace(root: path, exclude: settings.exclude)
        let plan = Migrator(migration: migration).plan(workspace)
        let commands = migration.changes.compactMap { change -> String? in
            if case .run(let command) = change { command } else { nil }
        }
        lap("rewrite")

        var entry = LedgerEntry(
            migration: migration.id, status: .notAffected, repo: consumer.repo, base: base.hex, commit: nil,
            schemaCommit: migration.schemaCommit,
            extra: [
                "rules": .string(fingerprint), "branch": .string(MigrationBranch(migration.id).name),
                "undeclared": .bool(!consumer.declared),
            ])
        let rewriteAttention = plan.attention.map(\.description)

        if plan.edits.isEmpty && commands.isEmpty {
            // Nothing to commit: no branch; the note goes on the base commit.
            try mirror.deleteReference(branch)
            entry.extra["branch"] = nil
            entry.status = plan.referencesFound > 0 || !rewriteAttention.isEmpty ? .needsHuman : .notAffected
            if entry.status == .needsHuman {
                entry.attention = rewriteAttention.isEmpty
                    ? ["references to \(migration.id) were found but none could be rewritten safely"] : rewriteAttention
            }
            entry.durationSeconds = Date().timeIntervalSince(started)
            entry.at = Timestamp.now()
            try ledger.append(entry, on: base)
            outcome.entry = entry
            return outcome
        }

        guard budget.reserve() else {
            try mirror.deleteReference(branch)
            outcome.note = "deferred: --max-branches reached"
            return outcome
        }

        let testCommand = settings.testCommand ?? options.testCommand
        let timeout = settings.testTimeout ?? options.timeout
        let runner = TestRunner(policy: policy(worktree: path, phase: "base", timeout: timeout))
        let baseline = try baselineReport(mirror: mirror, base: base, command: testCommand, runner: runner)
        lap("test-base")

        let written = try workspace.write(plan.edits)
        // What discovery could not read (a broken descriptor) is for the reviewer to fix.
        var attention = rewriteAttention + consumer.problems
        for command in commands {
            let result = try sandboxed { try TestRunner(policy: policy(worktree: path, phase: "run", timeout: timeout)).run(command: command) }
            if result.timedOut || result.status != 0 {
                throw FleetError("`\(command)` \(result.timedOut ? "timed out" : "exited with \(result.status)") (log: \(result.logPath))")
            }
        }
        lap("rewrite")

        let afterRunner = TestRunner(policy: policy(worktree: path, phase: "after", timeout: timeout))
        let after = try sandboxed { try afterRunner.runTests(command: testCommand) }
        let verdict = try Baseline.compare(base: baseline, after: after) { failing in
            try sandboxed { try afterRunner.rerun(tests: failing, command: testCommand) }
        }
        lap("test-after")

        // The new blobs, trees and the commit are written as one pack once the commit is made.
        let packed = try PackedWrites(opening: path)
        let checkout = packed.repository
        let baseTree = try mirror.commit(base).tree
        let tree = commands.isEmpty ? try checkout.stage(written, onto: baseTree) : try checkout.stageAll()
        let files = try checkout.changedPaths(from: baseTree, to: tree).compactMap { $0.new ?? $0.old }
        guard !files.isEmpty else {
            try mirror.deleteReference(branch)
            entry.extra["branch"] = nil
            entry.at = Timestamp.now()
            entry.durationSeconds = Date().timeIntervalSince(started)
            try ledger.append(entry, on: base)
            outcome.entry = entry
            return outcome
        }

        for test in verdict.preexistingFailures { attention.append("\(test): already failing at the base \(base.short), not caused by this migration") }
        for test in verdict.flaky { attention.append("\(test): failed once, then passed on a rerun (flaky)") }
        switch after.outcome {
        case .timedOut:
            entry.status = .error
            entry.error = "tests timed out after \(Int(timeout)) s"
        case .sandboxFailed(let reason):
            entry.status = .error
            entry.error = "sandbox: \(reason)"
        default:
            if verdict.buildBroke || !verdict.passed {
                entry.status = .testsFailed
                attention += after.buildErrors.map(\.description)
                for test in verdict.newFailures { attention.append("\(test): passed at the base, fails after the migration") }
            } else {
                entry.status = rewriteAttention.isEmpty ? .testsPassed : .needsHuman
            }
        }
        let summary = "\(after.passed) passed, \(after.failed) failed, \(after.skipped) skipped"
            + (baseline.map { " (base: \($0.passed) passed, \($0.failed) failed)" } ?? "")
            + (after.outcome == .buildFailed ? "; the migrated code does not build" : "")
        let message = CommitMessage(
            migration: migration, base: base.hex, counts: plan.counts, files: files, testSummary: summary,
            attention: attention)
        let made = try checkout.createCommit(
            tree: tree, parents: [base], message: message.text, author: options.signature, committer: options.signature)
        try packed.flush()
        try mirror.setReference(branch, to: made, expected: base, message: "commit: " + message.text.prefix { $0 != "\n" })
        lap("commit")

        entry.commit = made.hex
        entry.files = files
        entry.tests = TestCounts(passed: after.passed, failed: after.failed, skipped: after.skipped)
        entry.attention = attention.isEmpty ? nil : attention
        entry.extra["log"] = .string(after.logPath)
        entry.extra["test_command"] = .string(testCommand)
        if !after.notes.isEmpty { entry.extra["sandbox_notes"] = .array(after.notes.map(JSONValue.string)) }
        entry.durationSeconds = Date().timeIntervalSince(started)
        entry.at = Timestamp.now()
        guard try mirror.referenceTarget(branch) == made else {
            throw FleetError("\(MigrationBranch(migration.id)) does not point at the new commit \(made.short); nothing recorded")
        }
        try ledger.append(entry, on: made)
        outcome.entry = entry
        return outcome
    }

    /// `--dry-run`: rewrite a throwaway export of the base and return the diff; no ref moves.
    private func dryRun(mirror: Repository, base: ObjectID) throws -> ConsumerOutcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skein-dry-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try mirror.export(base, to: directory)
        let settings = try consumerSettings(in: directory)
        let workspace = Workspace(root: directory, exclude: settings.exclude)
        let plan = Migrator(migration: migration).plan(workspace)
        var outcome = ConsumerOutcome(repo: consumer.repo)
        var diff = ""
        for edit in plan.edits {
            let old = (try? String(contentsOfFile: directory + "/" + edit.path, encoding: .utf8)) ?? ""
            diff += unifiedDiff(old: old, new: edit.newText, path: edit.path)
        }
        outcome.diff = diff
        let status: MigrationStatus = plan.edits.isEmpty
            ? (plan.referencesFound > 0 || !plan.attention.isEmpty ? .needsHuman : .notAffected)
            : (plan.attention.isEmpty ? .testsPassed : .needsHuman)
        outcome.entry = LedgerEntry(
            migration: migration.id, status: status, repo: consumer.repo, base: base.hex, schemaCommit: migration.schemaCommit,
            files: plan.edits.map(\.path), attention: plan.attention.isEmpty ? nil : plan.attention.map(\.description))
        return outcome
    }

    private func consumerSettings(in root: String) throws -> ConsumerSettings {
        let path = root + "/.skein.yaml"
        var status = stat()
        // A link is never followed out of the worktree.
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
              let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return ConsumerSettings() }
        return try ConsumerSettings.parse(text, path: ".skein.yaml")
    }

    private func policy(worktree: String, phase: String, timeout: Double) -> SandboxPolicy {
        SandboxPolicy(
            worktree: worktree, buildCache: layout.buildCache(consumer.repo),
            logFile: layout.log(migration.id, consumer.repo, phase), timeout: timeout, mode: options.sandbox)
    }

    /// Runs sandboxed work within the run's bound on concurrent test runs.
    /// A stopped run starts no new step; a step killed at the end of the stop's grace makes the
    /// consumer `error: interrupted`, never a test failure.
    private func sandboxed<T>(_ body: () throws -> T) throws -> T {
        testSlots.wait()
        defer { testSlots.signal() }
        guard !stop.isStopped else { throw Interrupted() }
        let result = try body()
        if RunningProcesses.terminated { throw Interrupted() }
        return result
    }

    /// The base's test result: from the baseline cache in the ledger when this base was tested
    /// with this command before, otherwise run now (on the untouched worktree) and cached.
    private func baselineReport(mirror: Repository, base: ObjectID, command: String, runner: TestRunner) throws -> TestReport? {
        let cache = Ledger(repository: mirror, signature: options.signature, ref: Ledger.baselineRef)
        let cached = (try mirror.note(on: base, ref: Ledger.baselineRef) ?? "")
            .split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
            .last { $0["test_command"]?.stringValue == command }
        if let cached, let report = TestReport(cached: cached) { return report }
        _ = try sandboxed { try runner.resolveDependencies() }
        let report = try sandboxed { try runner.runTests(command: command) }
        switch report.outcome {
        case .timedOut, .sandboxFailed: return report
        default:
            try cache.appendLine(report.cacheLine(command: command).serialized(sortKeys: true), on: base)
            return report
        }
    }
}

extension TestReport {
    /// The baseline cache line: enough to compare against later runs.
    func cacheLine(command: String) -> JSONValue {
        let outcome: String = switch self.outcome {
        case .passed: "passed"
        case .testsFailed: "tests-failed"
        case .buildFailed: "build-failed"
        case .timedOut: "timed-out"
        case .sandboxFailed: "sandbox-failed"
        }
        return .object([
            ("test_command", .string(command)), ("outcome", .string(outcome)), ("passed", .int(passed)),
            ("failed", .int(failed)), ("skipped", .int(skipped)), ("failing", .array(failingTests.map(JSONValue.string))),
            ("log", .string(logPath)), ("at", .string(Timestamp.now())),
        ])
    }

    init?(cached: JSONValue) {
        let outcome: Outcome
        switch cached["outcome"]?.stringValue {
        case "passed": outcome = .passed
        case "tests-failed": outcome = .testsFailed
        case "build-failed": outcome = .buildFailed
        default: return nil
        }
        self.init(
            outcome: outcome, passed: cached["passed"]?.intValue ?? 0, failed: cached["failed"]?.intValue ?? 0,
            skipped: cached["skipped"]?.intValue ?? 0,
            failingTests: cached["failing"]?.arrayValue?.compactMap(\.stringValue) ?? [], buildErrors: [],
            logPath: cached["log"]?.stringValue ?? "", duration: 0, notes: ["from the baseline cache"])
    }
}
