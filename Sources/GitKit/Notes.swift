import CGit2
import Foundation

extension Repository {
    /// The note on `object` under `notesRef`, or nil when there is none.
    public func note(on object: ObjectID, ref notesRef: String) throws(GitError) -> String? {
        var note: OpaquePointer?
        var oid = object.raw
        let status = git_note_read(&note, handle, notesRef, &oid)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        if status < 0 { throw lastError("read note on \(object.short)", path, code: status) }
        defer { git_note_free(note) }
        return git_note_message(note).map { String(cString: $0) }
    }

    /// Writes (replacing) the note on `object`; one commit on `notesRef`.
    public func setNote(_ text: String, on object: ObjectID, ref notesRef: String, by signature: Signature) throws(GitError) {
        var oid = object.raw
        var out = git_oid()
        let who = try makeSignature(signature)
        defer { git_signature_free(who) }
        try check("write note on \(object.short)", path) {
            git_note_create(&out, handle, notesRef, who, who, &oid, text, 1)
        }
    }

    /// Every annotated object under `notesRef` with its note's blob.
    public func notes(ref notesRef: String) throws(GitError) -> [(object: ObjectID, blob: ObjectID)] {
        final class Collector { var pairs: [(ObjectID, ObjectID)] = [] }
        let collector = Collector()
        let status = git_note_foreach(handle, notesRef, { blob, object, payload in
            let collector = Unmanaged<Collector>.fromOpaque(payload!).takeUnretainedValue()
            collector.pairs.append((ObjectID(object!), ObjectID(blob!)))
            return 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        if status == GIT_ENOTFOUND.rawValue { return [] }
        if status < 0 { throw lastError("list notes \(notesRef)", path, code: status) }
        return collector.pairs.map { (object: $0.0, blob: $0.1) }
    }

    /// Rewrites a notes ref in one step: starting from the notes commit `base` (nil: empty), sets
    /// each given note, and commits the result with `parents` (so a merge of two ledgers is a
    /// merge commit both sides fast-forward to). Moves `notesRef` only if it still points at
    /// `expected`.
    public func commitNotes(
        _ notes: [(object: ObjectID, text: String)], onto base: ObjectID?, parents: [ObjectID],
        ref notesRef: String, expected: ObjectID?, by signature: Signature, message: String
    ) throws(GitError) -> ObjectID {
        let who = try makeSignature(signature)
        defer { git_signature_free(who) }
        var current: ObjectID? = base
        for note in notes {
            var parentCommit: OpaquePointer?
            if let current {
                var oid = current.raw
                try check("read notes commit", path) { git_commit_lookup(&parentCommit, handle, &oid) }
            }
            defer { if parentCommit != nil { git_commit_free(parentCommit) } }
            var commitOut = git_oid(), blobOut = git_oid()
            var target = note.object.raw
            try check("write note on \(note.object.short)", path) {
                git_note_commit_create(&commitOut, &blobOut, handle, parentCommit, who, who, &target, note.text, 1)
            }
            current = ObjectID(commitOut)
        }
        guard let current else {
            throw GitError(operation: "write notes", repository: path, message: "nothing to write")
        }
        let tree = try commit(current).tree
        let merged = try createCommit(tree: tree, parents: parents, message: message, author: signature, committer: signature)
        if let expected {
            try setReference(notesRef, to: merged, expected: expected, message: message)
        } else {
            var reference: OpaquePointer?
            var oid = merged.raw
            try check("update \(notesRef)", path) { git_reference_create(&reference, handle, notesRef, &oid, 0, message) }
            git_reference_free(reference)
        }
        return merged
    }
}
