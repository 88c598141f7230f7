import Foundation
import Ledger
import SkeinBasics

extension MigrationReport {
    /// Counts by status per owning team, teams in name order, consumers without an owner last
    /// (as a nil owner).
    public var byOwner: [(owner: String?, counts: [(String, Int)])] {
        let grouped = Dictionary(grouping: repos) { $0.entry.owner }
        let owners = grouped.keys.sorted { ($0 == nil ? 1 : 0, $0 ?? "") < ($1 == nil ? 1 : 0, $1 ?? "") }
        return owners.map { owner in
            var counts: [String: Int] = [:]
            for repo in grouped[owner]! { counts[repo.status.rawValue, default: 0] += 1 }
            return (owner, counts.sorted { $0.key < $1.key })
        }
    }

    /// Only the consumers owned by `owner` (`group:` and `default/` prefixes are the same team;
    /// `none` selects consumers whose descriptor names no owner).
    public func owned(by owner: String) -> MigrationReport {
        var name = owner
        if name.lowercased().hasPrefix("group:") { name = String(name.dropFirst("group:".count)) }
        if name.hasPrefix("default/") { name = String(name.dropFirst("default/".count)) }
        var report = self
        report.repos = repos.filter { name == "none" ? $0.entry.owner == nil : $0.entry.owner == name }
        return report
    }
}
