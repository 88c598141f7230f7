import Foundation
import GitKit
import Ledger
import SkeinBasics

/// Which ledger lines `run` may act on. A ledger merges lines from upstreams and other machines
/// (SPEC 6), and an upstream can write anything into its `refs/notes/skein`: a line that claims
/// a consumer is done is taken only when it can be checked here.
///
/// - A line naming a commit is taken when that commit is in the mirror, its only parent is the
///   line's base, and its message carries the migration's trailers (`Skein-Migration:` with the
///   line's migration, `Skein-Base:` with its base): the branch skein made, whichever machine made it.
/// - A line without a commit (its note is on the base) is taken when the note is on the base it
///   names and skein wrote that very line here: the ids of the lines this machine wrote are kept in
///   the mirror's git directory, which no fetch or push carries (`Ledger.ownLineIDs`).
struct LedgerTrust {
    let repository: Repository
    let own: Set<String>

    init(repository: Repository) {
        self.repository = repository
        own = Ledger(repository: repository).ownLineIDs()
    }

    /// The entries of the mirror's ledger that can be verified.
    func trustedEntries() throws -> [LedgerEntry] {
        try Ledger(repository: repository).allLines().filter { isTrusted($0.entry, line: $0.line, on: $0.commit) }.map(\.entry)
    }

    func isTrusted(_ entry: LedgerEntry, line: String, on object: ObjectID) -> Bool {
        if let commit = entry.commit {
            guard let id = ObjectID(hex: commit), let base = ObjectID(hex: entry.base), repository.contains(id),
                  let info = try? repository.commit(id), info.parents == [base]
            else { return false }
            let trailers = Set(info.message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) })
            return trailers.contains("Skein-Migration: \(entry.migration)") && trailers.contains("Skein-Base: \(entry.base)")
        }
        return object.hex == entry.base && own.contains(Ledger.lineID(line))
    }

    /// Whether a raw line (of any ledger of this mirror) was written by skein here.
    func isOwn(_ line: String) -> Bool { own.contains(Ledger.lineID(line)) }
}
