import Foundation
import GitKit
import Ledger
import Sandbox
import SkeinBasics

/// The outcomes of one migration across the fleet.
public struct MigrationOutcome: Sendable {
    public var migration: Migration
    /// What the consumers came to, counted (the outcomes themselves went to `each` as they came).
    public var tally: OutcomeTally
    /// Mirrors passed over before any work (empty, broken), with the reason.
    public var skipped: [(repo: String, reason: String)]
    public var duration: Double
    /// Set when a staged rollout stopped before its last wave: which wave halted and why.
    public var halt: String?
    /// What a person should know about the run (pilots that are not consumers, ...).
    public var notes: [String] = []
}

/// Runs migrations over the fleet: discovers consumers, then migrates them with bounded
/// concurrency (`--jobs` for git and rewrite work, `--test-jobs` for sandboxed tests). One bad
/// consumer never stops the others.
public enum FleetRun {
    /// `each` sees every consumer's outcome as it is made, on the worker thread that made it
    /// (calls may come at once from several threads); the run itself keeps only a tally.
    public static func run(
        _ migrations: [Migration], mirrors: String, options: RunOptions,
        progress: Progress, stop: StopSignal = StopSignal(),
        each: @escaping @Sendable (Migration, ConsumerOutcome) -> Void = { _, _ in }
    ) async throws -> [MigrationOutcome] {
        let layout = FleetLayout(mirrors: mirrors)
        let budget = BranchBudget(options.maxBranches)
        let testSlots = DispatchSemaphore(value: max(1, options.testJobs))
        var results: [MigrationOutcome] = []
        // The rewrite workers kept between consumers end with the run, waited for.
        defer { RewriteWorker.pool?.shutdown() }
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
            var result = MigrationOutcome(migration: migration, tally: OutcomeTally(), skipped: [], duration: 0)
            let rollout = migration.rollout ?? options.rollout
            // Waves are assigned over every consumer among the mirrors, so shards agree on them.
            let waves = rollout.map { WavePlan(rollout: $0, consumers: found.consumers.map(\.repo)) }
            let sink = OutcomeSink { each(migration, $0) }
            for (index, group) in groups(consumers, by: waves).enumerated() {
                progress.add(group.count)
                let wave = waves == nil ? nil : index + 1
                await concurrentForEach(group, limit: options.jobs) { consumer in
                    guard !stop.isStopped else {
                        sink.add(ConsumerOutcome(repo: consumer.repo, note: "not started: the run was interrupted"))
                        return
                    }
                    progress.started(consumer.repo)
                    var job = ConsumerJob(
                        migration: migration, consumer: consumer, layout: layout, options: options, budget: budget,
                        testSlots: testSlots, stop: stop, wave: wave)
                    job.phase = { progress.phase(consumer.repo, $0) }
                    let outcome = job.run()
                    progress.finished(line(for: outcome, migration: migration), repo: consumer.repo, status: outcome.status)
                    sink.add(outcome)
                }
                // A dry run changes nothing, so there is nothing for a later wave to wait on.
                if let waves, !options.dryRun, index < waves.rollout.waves.count - 1,
                   let reason = sink.currentGate.haltReason(after: index, of: waves) {
                    result.halt = reason
                    break
                }
            }
            result.tally = sink.currentTally
            if let waves {
                // A pilot in another shard's share is not this run's to find.
                result.notes += waves.unknownPilots.filter { options.shard?.contains($0) ?? true }
                    .map { "rollout: pilot `\($0)` is not a consumer of \(migration.id)" }
                let beyond = consumers.filter { waves.waveOf[$0.repo] == nil }.count
                if beyond > 0 {
                    result.notes.append("rollout: \(beyond) consumer\(beyond == 1 ? " is" : "s are") past the last wave and not migrated")
                }
            }
            result.skipped = found.skipped.filter { options.only?.contains($0.repo) ?? true }
            result.duration = Date().timeIntervalSince(started)
            results.append(result)
        }
        progress.end()
        if let metrics = options.metricsFile {
            try writeMetrics(results, to: metrics)
        }
        return results
    }

    /// Exit status per SPEC §5: 1 when some consumer ended `tests-failed`, `needs-human` or
    /// `error`, or a staged rollout halted (SPEC §7), else 0.
    /// A mirror skipped because it could not be read (it may be a declared consumer) counts as
    /// a failure too; an empty one does not.
    public static func exitStatus(_ results: [MigrationOutcome]) -> ExitStatus {
        let bad = results.contains { $0.halt != nil || $0.tally.anyFailed }
        let unread = results.flatMap(\.skipped).contains { $0.reason != Discovery.emptyMirrorReason }
        if unread { return .someFailed }
        return bad ? .someFailed : .success
    }

    /// The consumers of each wave in order, or all of them as one group without a rollout.
    static func groups(_ consumers: [Consumer], by waves: WavePlan?) -> [[Consumer]] {
        guard let waves else { return [consumers] }
        var groups = Array(repeating: [Consumer](), count: waves.rollout.waves.count)
        for consumer in consumers {
            if let index = waves.waveOf[consumer.repo] { groups[index].append(consumer) }
        }
        return groups
    }

    static func writeMetrics(_ results: [MigrationOutcome], to path: String) throws {
        let migrations: [JSONValue] = results.map { result in
            let tally = result.tally
            return .object([
                ("id", .string(result.migration.id)),
                ("consumers", .int(tally.consumers)),
                ("skipped_mirrors", .int(result.skipped.count)),
                ("counts", .object(tally.counts.sorted { $0.key < $1.key }.map {
                    ($0.key == OutcomeTally.notHandled ? "skipped" : $0.key, .int($0.value))
                })),
                ("success_rate", .double(tally.finished == 0 ? 1 : Double(tally.good) / Double(tally.finished))),
                ("phase_seconds", .object(tally.phases.sorted { $0.key < $1.key }.map { ($0.key, .double(($0.value * 1000).rounded() / 1000)) })),
                ("duration_s", .double((result.duration * 1000).rounded() / 1000)),
            ])
        }
        let text = JSONValue.object([("migrations", .array(migrations))]).serialized(pretty: true) + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
