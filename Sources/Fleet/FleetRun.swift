import Foundation
import GitKit
import Ledger
import Sandbox
import SkeinBasics

/// The outcomes of one migration across the fleet.
public struct MigrationOutcome: Sendable {
    public var migration: Migration
    public var outcomes: [ConsumerOutcome]
    /// Mirrors passed over before any work (empty, broken), with the reason.
    public var skipped: [(repo: String, reason: String)]
    public var duration: Double
}

/// Runs migrations over the fleet: discovers consumers, then migrates them with bounded
/// concurrency (`--jobs` for git and rewrite work, `--test-jobs` for sandboxed tests). One bad
/// consumer never stops the others.
public enum FleetRun {
    public static func run(
        _ migrations: [Migration], mirrors: String, options: RunOptions,
        progress: Progress, stop: StopSignal = StopSignal()
    ) async throws -> [MigrationOutcome] {
        let layout = FleetLayout(mirrors: mirrors)
        let budget = BranchBudget(options.maxBranches)
        let testSlots = DispatchSemaphore(value: max(1, options.testJobs))
        var results: [MigrationOutcome] = []
        if !options.dryRun {
            Leftovers.sweep(layout: layout)
            RunningProcesses.sweepOrphans()
        }
        for migration in migrations {
            let started = Date()
            let found = try await Discovery.consumers(of: migration, mirrors: mirrors, jobs: options.jobs)
            let consumers = found.consumers.filter { consumer in
                (options.only?.contains(consumer.repo) ?? true) && (options.shard?.contains(consumer.repo) ?? true)
            }
            progress.add(consumers.count)
            let outcomes = await concurrentMap(consumers, limit: options.jobs) { consumer in
                guard !stop.isStopped else {
                    return ConsumerOutcome(repo: consumer.repo, note: "not started: the run was interrupted")
                }
                progress.started(consumer.repo)
                var job = ConsumerJob(
                    migration: migration, consumer: consumer, layout: layout, options: options, budget: budget,
                    testSlots: testSlots, stop: stop)
                job.phase = { progress.phase(consumer.repo, $0) }
                let outcome = job.run()
                progress.finished(line(for: outcome, migration: migration), repo: consumer.repo, status: outcome.status)
                return outcome
            }
            let skipped = found.skipped.filter { options.only?.contains($0.repo) ?? true }
            results.append(MigrationOutcome(
                migration: migration, outcomes: outcomes, skipped: skipped, duration: Date().timeIntervalSince(started)))
        }
        progress.end()
        if let metrics = options.metricsFile {
            try writeMetrics(results, to: metrics)
        }
        return results
    }

    /// Exit status per SPEC §5: 1 when some consumer ended `tests-failed`, `needs-human` or
    /// `error`, else 0.
    /// A mirror skipped because it could not be read (it may be a declared consumer) counts as
    /// a failure too; an empty one does not.
    public static func exitStatus(_ results: [MigrationOutcome]) -> ExitStatus {
        let bad = results.flatMap(\.outcomes).contains { !($0.status?.isGood ?? true) }
        let unread = results.flatMap(\.skipped).contains { $0.reason != Discovery.emptyMirrorReason }
        return bad || unread ? .someFailed : .success
    }

    static func writeMetrics(_ results: [MigrationOutcome], to path: String) throws {
        let migrations: [JSONValue] = results.map { result in
            var counts: [String: Int] = [:]
            var phases: [String: Double] = [:]
            for outcome in result.outcomes {
                counts[outcome.status?.rawValue ?? "skipped", default: 0] += 1
                for (phase, seconds) in outcome.phases { phases[phase, default: 0] += seconds }
            }
            let finished = result.outcomes.compactMap(\.status)
            let good = finished.filter(\.isGood).count
            return .object([
                ("id", .string(result.migration.id)),
                ("consumers", .int(result.outcomes.count)),
                ("skipped_mirrors", .int(result.skipped.count)),
                ("counts", .object(counts.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                ("success_rate", .double(finished.isEmpty ? 1 : Double(good) / Double(finished.count))),
                ("phase_seconds", .object(phases.sorted { $0.key < $1.key }.map { ($0.key, .double(($0.value * 1000).rounded() / 1000)) })),
                ("duration_s", .double((result.duration * 1000).rounded() / 1000)),
            ])
        }
        let text = JSONValue.object([("migrations", .array(migrations))]).serialized(pretty: true) + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
