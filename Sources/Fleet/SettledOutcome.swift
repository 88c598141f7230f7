import GitKit
import Ledger
import SkeinBasics

/// Outcomes that later runs keep (SPEC §5–6): a consumer whose default branch contains the
/// migration stays `merged`, and a rolled-back one stays `rolled-back` until `--retry-failed`.
/// Without this, a run after `mirror sync` would migrate the merged code again and find only
/// current names, or redo what someone chose to undo.
enum SettledOutcome {
    /// The line a run reports instead of migrating again, or nil when the consumer is to be
    /// (re)considered. `lines` are the consumer's ledger lines for the migration.
    static func kept(_ lines: [LedgerEntry], migration: String, in repository: Repository, retryFailed: Bool) -> LedgerEntry? {
        guard let latest = latestEntries(lines)[migration] else { return nil }
        if latest.status == .rolledBack { return retryFailed ? nil : latest }
        return merged(lines, in: repository)
    }

    /// The newest line whose migration commit the default branch contains, as a `merged` line;
    /// nil when none. Git is asked every time rather than a line's word for it: ledger lines
    /// arrive with the upstream's notes.
    static func merged(_ lines: [LedgerEntry], in repository: Repository) -> LedgerEntry? {
        let newestFirst = lines.enumerated().sorted { ($0.element.at, $0.offset) > ($1.element.at, $1.offset) }.map(\.element)
        if let latest = newestFirst.first, latest.status == .rolledBack { return nil }
        let tip = try? repository.defaultBranch().commit
        for line in newestFirst {
            guard let commit = line.commit.flatMap(ObjectID.init(hex:)) else { continue }
            // A default branch still at the line's base has not taken anything since: no need
            // for the patch-id search (the common case of an idempotent re-run).
            if let tip, line.base == tip.hex, commit != tip { continue }
            if (try? StatusReport.isMerged(commit, base: line.base, in: repository)) == true {
                var kept = line
                kept.status = .merged
                return kept
            }
        }
        return nil
    }
}
