import Foundation
import GitKit
import SkeinBasics

/// What a crashed, killed or failed run left in the fleet, and sweeping it away: worktree
/// folders no entry accounts for, entries whose folder is gone, and `skein/<id>` branches that
/// hold no migration commit (they still point at the base a worktree was made from).
/// Worktrees kept on purpose (`--keep-worktrees` locks them) and mirrors another process is
/// working on (their lock is held) are left alone.
enum Leftovers {
    /// Sweeps every mirror that has something under `.skein/worktrees`. Returns what was
    /// removed, one line each, for the run's log.
    @discardableResult
    static func sweep(layout: FleetLayout) -> [String] {
        let root = layout.state + "/worktrees"
        guard let folders = try? FileManager.default.contentsOfDirectory(atPath: root), !folders.isEmpty else { return [] }
        let mirrors = Set((try? Mirror.all(in: layout.mirrors))?.map(\.name) ?? [])
        var repos = Set<String>()
        for folder in folders {
            // `<repo>--<migration>`: the longest mirror name that prefixes the folder is its repo.
            let owner = mirrors.filter { folder.hasPrefix($0 + "--") }.max { $0.count < $1.count }
            if let owner { repos.insert(owner) } else { try? FileManager.default.removeItem(atPath: root + "/" + folder) }
        }
        var removed: [String] = []
        for repo in repos.sorted() {
            guard let lock = try? MirrorLock(path: layout.lock(repo), wait: false) else { continue }
            defer { lock.release() }
            guard let mirror = try? Repository.open(layout.mirrorPath(repo)) else { continue }
            removed += sweep(mirror: mirror, repo: repo, layout: layout)
        }
        return removed
    }

    /// Sweeps one mirror whose lock the caller holds; with `migration`, also that migration's
    /// branch when it holds no commit.
    @discardableResult
    static func sweep(mirror: Repository, repo: String, layout: FleetLayout, migration: String? = nil) -> [String] {
        var removed: [String] = []
        // skein writes these references only under the mirror's lock, which the caller holds:
        // a lock file there is a killed writer's.
        for reference in mirror.removeStaleReferenceLocks(in: ["refs/heads/" + MigrationBranch.prefix.dropLast(), "refs/notes"]) {
            removed.append("\(repo): removed the stale lock of \(reference)")
        }
        let pruned = (try? Worktree.pruneStale(in: mirror)) ?? []
        removed += pruned.map { "\(repo): pruned the worktree entry \($0), whose folder was gone" }
        let root = layout.state + "/worktrees"
        let entries = Set((try? Worktree.names(in: mirror)) ?? [])
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for folder in folders where folder.hasPrefix(repo + "--") {
            let migration = String(folder.dropFirst(repo.count + 2))
            let name = FleetLayout.worktreeName(repo, migration)
            if entries.contains(name), Worktree.isKept(in: mirror, named: name) { continue }
            let worktree = Worktree(name: name, path: root + "/" + folder, branch: MigrationBranch(migration).reference)
            try? worktree.remove(from: mirror)
            removed.append("\(repo): removed the worktree \(folder) a stopped run left")
            if deleteEmptyBranch(migration, repo: repo, in: mirror) { removed.append("\(repo): deleted \(MigrationBranch(migration)), which held no commit") }
        }
        if let migration, deleteEmptyBranch(migration, repo: repo, in: mirror) {
            removed.append("\(repo): deleted \(MigrationBranch(migration)), which held no commit")
        }
        return removed
    }

    /// Deletes `skein/<migration>` when it holds no migration commit (its tip carries no
    /// `Skein-Migration:` trailer) and no worktree has it checked out. True when deleted.
    @discardableResult
    static func deleteEmptyBranch(_ migration: String, repo: String, in mirror: Repository) -> Bool {
        let branch = MigrationBranch(migration)
        guard let tip = try? mirror.referenceTarget(branch.reference),
              let commit = try? mirror.commit(tip),
              !commit.message.contains("\nSkein-Migration: "),
              !((try? Worktree.names(in: mirror)) ?? []).contains(FleetLayout.worktreeName(repo, migration))
        else { return false }
        return (try? mirror.deleteReference(branch.reference)) != nil
    }
}
