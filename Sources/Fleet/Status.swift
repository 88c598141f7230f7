import Foundation
import GitKit
import Ledger
import SkeinBasics

/// One consumer's current state for a migration, from its mirror's ledger and branches.
public struct ConsumerStatus: Sendable {
    public var repo: String
    public var entry: LedgerEntry
    /// Every ledger line of this consumer for the migration, oldest first (for the burndown).
    public var history: [LedgerEntry]
    /// The status shown: the ledger's, or `merged` when the default branch now contains the
    /// migration (by ancestry, or by patch id after a squash merge).
    public var status: MigrationStatus
    /// Whether the line shown could be verified here (see `LedgerTrust`); a line from an
    /// upstream or another machine that cannot be checked is shown, marked, but never acted on.
    public var verified = true

    public var json: JSONValue {
        .object([
            ("repo", .string(repo)), ("status", .string(status.rawValue)),
            ("branch", entry.commit == nil ? .null : .string(MigrationBranch(entry.migration).name)),
            ("commit", entry.commit.map(JSONValue.string) ?? .null), ("base", .string(entry.base)),
            ("tests", entry.tests.map { .object([("passed", .int($0.passed)), ("failed", .int($0.failed)), ("skipped", .int($0.skipped))]) } ?? .null),
            ("attention", .array((entry.attention ?? []).map(JSONValue.string))),
            ("error", entry.error.map(JSONValue.string) ?? .null),
            ("undeclared", .bool(entry.undeclared)),
            ("owner", entry.owner.map(JSONValue.string) ?? .null),
            ("base_tests", entry.extra["base_tests"] ?? .null),
            ("log", entry.log.map(JSONValue.string) ?? .null),
            ("from_version", entry.fromVersion.map(JSONValue.int) ?? .null),
            ("at", .string(entry.at)),
            ("verified", .bool(verified)),
            ("wave", entry.wave.map(JSONValue.int) ?? .null),
        ])
    }
}

/// A migration's state across the fleet.
public struct MigrationReport: Sendable {
    public var id: String
    public var schemaCommit: String
    public var repos: [ConsumerStatus]

    public var counts: [(String, Int)] {
        var counts: [String: Int] = [:]
        for repo in repos { counts[repo.status.rawValue, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }
    }

    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("schema_commit", .string(schemaCommit)),
            ("counts", .object(counts.map { ($0.0, .int($0.1)) })),
            ("owners", .object(byOwner.map { owner in
                (owner.owner ?? "", .object(owner.counts.map { ($0.0, .int($0.1)) }))
            })),
            ("repos", .array(repos.map(\.json))),
        ])
    }
}

public enum StatusReport {
    /// Reads every mirror's ledger (in parallel) and gathers the state of each migration, or of
    /// one. Unreadable mirrors are returned as warnings, not errors.
    public static func gather(mirrors: String, migration: String? = nil, jobs: Int = 8) async throws
        -> (reports: [MigrationReport], warnings: [String])
    {
        let all = try Mirror.all(in: mirrors)
        let perMirror = await concurrentMap(all, limit: jobs) { mirror -> (statuses: [ConsumerStatus], warning: String?) in
            do {
                return (try statuses(of: mirror, migration: migration), nil)
            } catch {
                return ([], "\(mirror.name): \(error)")
            }
        }
        var byMigration: [String: [ConsumerStatus]] = [:]
        for status in perMirror.flatMap(\.statuses) { byMigration[status.entry.migration, default: []].append(status) }
        let reports = byMigration.keys.sorted().map { id in
            let repos = byMigration[id]!.sorted { $0.repo < $1.repo }
            let schemaCommit = repos.map(\.entry).max { $0.at < $1.at }?.schemaCommit ?? ""
            return MigrationReport(id: id, schemaCommit: schemaCommit, repos: repos)
        }
        return (reports, perMirror.compactMap(\.warning))
    }

    static func statuses(of mirror: Mirror, migration: String?) throws -> [ConsumerStatus] {
        let repository = try Repository.open(mirror.path)
        let trust = LedgerTrust(repository: repository)
        let all = try Ledger(repository: repository).allLines().filter { migration == nil || $0.entry.migration == migration }
        let entries = all.map(\.entry)
        let trusted = all.filter { trust.isTrusted($0.entry, line: $0.line, on: $0.commit) }.map(\.entry)
        let grouped = Dictionary(grouping: entries, by: \.migration)
        let groupedTrusted = Dictionary(grouping: trusted, by: \.migration)
        var result: [ConsumerStatus] = []
        for (id, lines) in grouped {
            // A verified line wins over any unverified one, whatever time the latter claims.
            let verifiedLatest = groupedTrusted[id].flatMap { latestEntries($0)[id] }
            guard let latest = verifiedLatest ?? latestEntries(lines)[id] else { continue }
            let history = lines.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
            var status = latest.status
            // Merged stays merged: a later line (a re-run on the merged code) does not undo it.
            if status != .merged, SettledOutcome.merged(lines, in: repository) != nil {
                status = .merged
            }
            var shown = ConsumerStatus(repo: mirror.name, entry: latest, history: history, status: status)
            shown.verified = verifiedLatest != nil
            result.append(shown)
        }
        return result
    }

    /// True when the default branch contains the migration commit: by ancestry, or (after a
    /// squash merge) by a commit with the same patch id since the base.
    public static func isMerged(_ commit: ObjectID, base: String, in repository: Repository) throws -> Bool {
        guard let tip = try? repository.defaultBranch().commit else { return false }
        if tip == commit { return true }
        if (try? repository.isAncestor(commit, of: tip)) == true { return true }
        guard let patch = try? repository.patchID(of: commit) else { return false }
        let hide = ObjectID(hex: base)
        for candidate in try repository.log(from: tip, hiding: hide, limit: 500) where candidate != commit {
            if (try? repository.patchID(of: candidate)) == patch { return true }
        }
        return false
    }
}
