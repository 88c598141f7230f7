import Foundation
import GitKit
import SkeinBasics

/// The git-notes ledger of a mirror: `refs/notes/skein`, one JSON object per line per note.
///
/// Lines are only ever appended. Two ledgers merge by taking, for each annotated commit, the
/// sorted union of both notes' lines (what `git notes merge -s cat_sort_uniq` does), recorded
/// as a merge commit so either side fast-forwards to it.
public struct Ledger {
    public static let notesRef = "refs/notes/skein"
    /// Cached test results per base commit (one line per test command), kept out of the
    /// outcome ledger so its lines stay outcomes only.
    public static let baselineRef = "refs/notes/skein-baseline"
    /// Where a sync puts the upstream's copy of the ledger for `mergeUpstream`.
    public static let upstreamRef = "refs/skein/upstream-notes"

    /// What mirrors keep across syncs: skein's branches and its ledger (the upstream's copy
    /// fetched beside it). The baseline cache is this machine's alone: never fetched, and the
    /// place older versions fetched an upstream's copy to is removed.
    public static let mirrorPolicy = MirrorPolicy(
        ownBranchPrefix: "refs/heads/" + MigrationBranch.prefix, ledgerRef: notesRef, upstreamLedgerRef: upstreamRef,
        retiredRefs: ["refs/skein/upstream-baseline"])

    let repository: Repository
    public let signature: Signature
    let ref: String

    public init(repository: Repository, signature: Signature = .skein, ref: String = Ledger.notesRef) {
        self.repository = repository
        self.signature = signature
        self.ref = ref
    }

    /// Entries of the note on `commit`, in line order.
    public func entries(on commit: ObjectID) throws(GitError) -> [LedgerEntry] {
        ledgerEntries(in: try repository.note(on: commit, ref: ref) ?? "")
    }

    /// Appends a line to the note on `commit` (creating the note). History is kept.
    public func append(_ entry: LedgerEntry, on commit: ObjectID) throws(GitError) {
        try appendLine(entry.line, on: commit)
    }

    /// Appends a raw JSON line (used for the baseline cache).
    public func appendLine(_ line: String, on commit: ObjectID) throws(GitError) {
        var text = try repository.note(on: commit, ref: ref) ?? ""
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += line + "\n"
        try repository.setNote(text, on: commit, ref: ref, by: signature)
        recordOwn(line)
    }

    // MARK: - Lines written here

    /// Where the ids of the lines this machine wrote are kept: a file in the mirror's git
    /// directory, which no fetch or push carries. A line whose id is listed was written by skein
    /// here; a line merged from another machine or an upstream is not listed, whatever it says.
    var ownLinesFile: String { repository.commonDirectory + "skein/own-ledger-lines" }

    private func recordOwn(_ line: String) {
        let file = ownLinesFile
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let descriptor = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let record = Array((Ledger.lineID(line) + "\n").utf8)
        _ = record.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// The ids of every line this machine wrote to any ledger of this mirror.
    public func ownLineIDs() -> Set<String> {
        guard let text = try? String(contentsOfFile: ownLinesFile, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }

    /// The id of a ledger line's exact text.
    public static func lineID(_ line: String) -> String { ObjectID.blobID(of: Data(line.utf8)).hex }

    /// Every line of the ledger, raw and parsed, with the commit its note is on.
    public func allLines() throws(GitError) -> [(commit: ObjectID, line: String, entry: LedgerEntry)] {
        var result: [(commit: ObjectID, line: String, entry: LedgerEntry)] = []
        for (object, blob) in try repository.notes(ref: ref) {
            let text = String(decoding: try repository.blob(blob), as: UTF8.self)
            for line in text.split(whereSeparator: \.isNewline).map(String.init) {
                if let entry = LedgerEntry(line: line) { result.append((object, line, entry)) }
            }
        }
        return result
    }

    /// Every entry of the ledger with the commit its note is on.
    public func allEntries() throws(GitError) -> [(commit: ObjectID, entry: LedgerEntry)] {
        var result: [(ObjectID, LedgerEntry)] = []
        for (object, blob) in try repository.notes(ref: ref) {
            let text = String(decoding: try repository.blob(blob), as: UTF8.self)
            for entry in ledgerEntries(in: text) { result.append((object, entry)) }
        }
        return result.map { (commit: $0.0, entry: $0.1) }
    }

    /// The winning entry of `migration` across the whole ledger, if any.
    public func latest(for migration: String) throws(GitError) -> LedgerEntry? {
        latestEntries(try allEntries().map(\.entry).filter { $0.migration == migration })[migration]
    }

    /// Merges the notes at `otherRef` into this ledger (cat_sort_uniq per note) and records a
    /// merge commit. Does nothing when the other ledger is already contained.
    @discardableResult
    public func merge(from otherRef: String) throws(GitError) -> Bool {
        guard let theirs = try repository.referenceTarget(otherRef) else { return false }
        let ours = try repository.referenceTarget(ref)
        if let ours, try repository.isAncestor(theirs, of: ours) { return false }
        if let ours, try repository.isAncestor(ours, of: theirs) {
            try repository.setReference(ref, to: theirs, expected: ours, message: "skein: fast-forward ledger")
            return true
        }
        guard let ours else {
            try repository.setReference(ref, to: theirs, message: "skein: take upstream ledger")
            return true
        }
        let mine = Dictionary(try repository.notes(ref: ref).map { ($0.object, $0.blob) }, uniquingKeysWith: { a, _ in a })
        var changed: [(object: ObjectID, text: String)] = []
        for (object, blob) in try repository.notes(ref: otherRef) where mine[object] != blob {
            let theirText = String(decoding: try repository.blob(blob), as: UTF8.self)
            let myText = try mine[object].map { (id) throws(GitError) in String(decoding: try repository.blob(id), as: UTF8.self) } ?? ""
            changed.append((object, Ledger.catSortUniq(myText, theirText)))
        }
        if changed.isEmpty {
            // Same notes, different histories: still record the merge so both sides fast-forward.
            let tree = try repository.commit(ours).tree
            let merged = try repository.createCommit(
                tree: tree, parents: [ours, theirs], message: "skein: merge ledger", author: signature, committer: signature)
            try repository.setReference(ref, to: merged, expected: ours, message: "skein: merge ledger")
            return true
        }
        _ = try repository.commitNotes(
            changed, onto: ours, parents: [ours, theirs], ref: ref, expected: ours, by: signature,
            message: "skein: merge ledger (cat_sort_uniq)")
        return true
    }

    /// The lines of both texts, sorted and without repeats: git's `cat_sort_uniq`.
    public static func catSortUniq(_ one: String, _ other: String) -> String {
        let lines = Set((one + "\n" + other).split(whereSeparator: \.isNewline).map(String.init))
        return lines.sorted().joined(separator: "\n") + "\n"
    }

    /// Merges the upstream ledger a sync fetched (`Ledger.upstreamRef`) into the mirror's.
    public static func mergeUpstream(intoMirrorAt path: String) throws(GitError) {
        let repository = try Repository.open(path)
        try Ledger(repository: repository, ref: notesRef).merge(from: Ledger.upstreamRef)
    }
}
