import Foundation
import GitKit
import Ledger
import Schema
import SkeinBasics

/// What `push` or `rollback` did for one consumer.
public struct DeliveryOutcome: Sendable {
    public var repo: String
    public var actions: [String] = []
    public var error: String?
    public var line: String {
        "\(repo): " + (error.map { "error: \($0)" } ?? (actions.isEmpty ? "nothing to do" : actions.joined(separator: ", ")))
    }
}

/// Delivers migrations upstream (`push`) and undoes them (`rollback`).
public enum Delivery {
    /// The ledger goes upstream; the baseline cache, this machine's alone, never does.
    static let ledgerRefs = [(Ledger.notesRef, Ledger.upstreamRef)]

    /// Pushes each consumer's `skein/<id>` branch and the ledger to its upstream. Consumers whose
    /// `.skein.yaml` says `automerge: true` get a green migration merged into their default
    /// branch upstream, recorded as `merged`.
    /// With `maxNewBranches`, at most that many branches the upstreams do not have yet are pushed
    /// (so a fleet's CI is not flooded); the others wait, ledger included, for a later push.
    public static func push(
        migration: String, mirrors: String, jobs: Int, signature: Signature = .skein, maxNewBranches: Int? = nil
    ) async throws -> [DeliveryOutcome] {
        let budget = maxNewBranches.map { BranchBudget($0) }
        return try await eachRecordedMirror(migration, mirrors: mirrors, jobs: jobs, signature: signature) { mirror, repository, ledger, entry, outcome in
            let url = try mirror.upstreamURL()
            let branch = MigrationBranch(migration).reference
            if entry.status != .rolledBack, try repository.referenceTarget(branch) != nil {
                if let budget, try !repository.listRemote(url).contains(where: { $0.name == branch }), !budget.reserve() {
                    outcome.actions.append("deferred: --max reached, push again to deliver skein/\(migration)")
                    return
                }
                try repository.push(to: url, refspecs: ["+\(branch):\(branch)"])
                outcome.actions.append("pushed \(MigrationBranch(migration))")
            }
            var refused: (any Error)?
            if entry.status == .testsPassed, let commit = entry.commit.flatMap(ObjectID.init(hex:)),
               try wantsAutomerge(repository, at: commit) {
                // A merge the upstream refuses (its default branch checked out in a non-bare
                // repo, or moved) is reported; the branch and the ledger still go up.
                do {
                    try automerge(commit, entry: entry, in: repository, url: url, ledger: ledger)
                    outcome.actions.append("merged into the default branch (automerge)")
                } catch {
                    refused = error
                }
            }
            try pushLedger(repository, to: url, signature: signature)
            outcome.actions.append("pushed the ledger")
            if let refused { throw refused }
        }
    }

    /// Runs `body` for each mirror whose ledger has an entry for `migration`, under the mirror's
    /// lock; a failing mirror is reported in its outcome and the others go on.
    static func eachRecordedMirror(
        _ migration: String, mirrors: String, jobs: Int, signature: Signature,
        _ body: @escaping @Sendable (Mirror, Repository, Ledger, LedgerEntry, inout DeliveryOutcome) throws -> Void
    ) async throws -> [DeliveryOutcome] {
        let layout = FleetLayout(mirrors: mirrors)
        return await concurrentMap(try Mirror.all(in: mirrors), limit: jobs) { mirror in
            var outcome = DeliveryOutcome(repo: mirror.name)
            do {
                let lock = try MirrorLock(path: layout.lock(mirror.name))
                defer { lock.release() }
                let repository = try Repository.open(mirror.path)
                let ledger = Ledger(repository: repository, signature: signature)
                if let entry = try ledger.latest(for: migration) {
                    try body(mirror, repository, ledger, entry, &outcome)
                }
            } catch {
                outcome.error = String(describing: error)
            }
            return outcome
        }
    }

    /// Pushes the ledger refs; when the upstream's moved, fetches it, merges (cat_sort_uniq) and
    /// tries again.
    static func pushLedger(_ repository: Repository, to url: String, signature: Signature, attempts: Int = 5) throws {
        for (local, upstream) in ledgerRefs where try repository.referenceTarget(local) != nil {
            for attempt in 0...attempts {
                if (try? repository.push(to: url, refspecs: ["\(local):\(local)"])) != nil { break }
                if attempt == attempts {
                    try repository.push(to: url, refspecs: ["\(local):\(local)"])
                }
                try repository.fetch(from: url, refspecs: ["+\(local):\(upstream)"])
                try Ledger(repository: repository, signature: signature, ref: local).merge(from: upstream)
            }
        }
    }

    static func wantsAutomerge(_ repository: Repository, at commit: ObjectID) throws -> Bool {
        guard let data = try repository.file(at: ".skein.yaml", in: commit) else { return false }
        return (try? ConsumerSettings.parse(String(decoding: data, as: UTF8.self), path: ".skein.yaml").automerge) ?? false
    }

    /// Merges the migration into the upstream's default branch: a fast-forward when the branch
    /// has not moved, otherwise a merge commit when it merges cleanly.
    static func automerge(_ commit: ObjectID, entry: LedgerEntry, in repository: Repository, url: String, ledger: Ledger) throws {
        let advertised = try repository.listRemote(url)
        guard let head = advertised.first(where: { $0.name == "HEAD" }), let defaultBranch = head.symbolicTarget,
              let tip = advertised.first(where: { $0.name == defaultBranch })?.target else {
            throw FleetError("the upstream does not say which branch is its default")
        }
        try repository.fetch(from: url, refspecs: ["+\(defaultBranch):refs/skein/upstream-head"])
        var merged = commit
        if !(try repository.isAncestor(tip, of: commit)) {
            guard let tree = try repository.mergeTree(ours: tip, theirs: commit) else {
                throw FleetError("\(MigrationBranch(entry.migration)) no longer merges cleanly into \(defaultBranch); not merged")
            }
            merged = try repository.createCommit(
                tree: tree, parents: [tip, commit],
                message: "Merge \(MigrationBranch(entry.migration)) (automerge)\n\nSkein-Migration: \(entry.migration)\n",
                author: ledger.signature, committer: ledger.signature)
        }
        // libgit2 pushes references, not bare object ids: stage the merge under a private ref.
        try repository.setReference("refs/skein/automerge", to: merged, message: "skein: automerge \(entry.migration)")
        defer {
            try? repository.deleteReference("refs/skein/automerge")
            try? repository.deleteReference("refs/skein/upstream-head")
        }
        try repository.push(to: url, refspecs: ["refs/skein/automerge:\(defaultBranch)"])
        try repository.setReference(defaultBranch, to: merged, message: "skein: automerge \(entry.migration)")
        var line = entry
        line.status = .merged
        line.at = Timestamp.now()
        line.extra["merge_commit"] = .string(merged.hex)
        try ledger.append(line, on: commit)
    }

    /// Undoes a migration: unmerged branches are deleted here and upstream; merged ones get a
    /// revert committed on `skein/<id>-rollback`. Each is recorded as `rolled-back`.
    public static func rollback(migration: String, mirrors: String, jobs: Int, signature: Signature = .skein) async throws -> [DeliveryOutcome] {
        try await eachRecordedMirror(migration, mirrors: mirrors, jobs: jobs, signature: signature) { mirror, repository, ledger, entry, outcome in
            guard entry.status != .rolledBack else { return }
            let branch = MigrationBranch(migration).reference
            var line = entry
            line.status = .rolledBack
            line.at = Timestamp.now()
            line.attention = nil
            let url = try? mirror.upstreamURL()
            if let commit = entry.commit.flatMap(ObjectID.init(hex:)),
               try entry.status == .merged || StatusReport.isMerged(commit, base: entry.base, in: repository) {
                let tip = try repository.defaultBranch().commit
                let tree = try repository.revertTree(of: commit, onto: tip)
                let revert = try repository.createCommit(
                    tree: tree, parents: [tip],
                    message: "skein: \(migration): roll back\n\nThis reverts commit \(commit.hex).\n\nSkein-Migration: \(migration)\nSkein-Base: \(tip.hex)\n",
                    author: signature, committer: signature)
                try repository.setReference(branch + "-rollback", to: revert, message: "skein: roll back \(migration)")
                if let url { try repository.push(to: url, refspecs: ["+\(branch)-rollback:\(branch)-rollback"]) }
                line.extra["rollback_commit"] = .string(revert.hex)
                line.branch = MigrationBranch(migration).rollback.name
                try ledger.append(line, on: revert)
                outcome.actions.append("merged: revert committed on \(MigrationBranch(migration).rollback)")
            } else {
                if try repository.referenceTarget(branch) != nil {
                    try repository.deleteReference(branch)
                    outcome.actions.append("deleted \(MigrationBranch(migration))")
                }
                if let url, try repository.listRemote(url).contains(where: { $0.name == branch }) {
                    try repository.push(to: url, refspecs: [":\(branch)"])
                    outcome.actions.append("deleted it upstream")
                }
                let target = entry.commit.flatMap(ObjectID.init(hex:)) ?? ObjectID(hex: entry.base)!
                try ledger.append(line, on: target)
            }
            outcome.actions.append("recorded rolled-back")
            if let url { try? pushLedger(repository, to: url, signature: signature) }
        }
    }
}
