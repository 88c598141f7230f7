import Foundation
import Rewrite
import SkeinBasics

/// The message of a migration commit (SPEC §6): a subject, what was applied with counts, the
/// files touched, the test summary, anything needing a human, and the trailers.
struct CommitMessage {
    var migration: Migration
    var base: String
    var counts: [String: Int]
    var files: [String]
    var testSummary: String
    var attention: [String]

    var text: String {
        let applied = migration.changes.filter { (counts[$0.summary] ?? 0) > 0 }
        var kinds: [String] = []
        for change in applied where !kinds.contains(change.kind) { kinds.append(change.kind) }
        var subject = "skein: \(migration.id): "
        if applied.count == 1, let only = applied.first {
            subject += only.summary
        } else if applied.isEmpty {
            subject += "update \(files.count) file\(files.count == 1 ? "" : "s")"
        } else {
            subject += "\(applied.count) changes in \(files.count) file\(files.count == 1 ? "" : "s") (\(kinds.joined(separator: ", ")))"
        }
        var lines = [subject, ""]
        if let description = migration.description, !description.isEmpty { lines += [description, ""] }
        lines.append("Changes applied:")
        for change in migration.changes {
            let count = counts[change.summary] ?? 0
            lines.append("- \(change.summary): \(count == 0 ? "nothing to change" : "\(count) edit\(count == 1 ? "" : "s")")")
        }
        lines += ["", "Files touched:"] + files.map { "- \($0)" }
        lines += ["", "Tests: \(testSummary)"]
        if !attention.isEmpty {
            lines += ["", "Needs a human:"] + attention.map { "- \($0)" }
        }
        lines += [
            "",
            "Skein-Migration: \(migration.id)",
            "Skein-Schema-Commit: \(migration.schemaCommit)",
            "Skein-Base: \(base)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Migration {
    /// A fingerprint of the rules, so a re-run knows whether the ledger's outcome is for the
    /// same changes.
    var rulesFingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in changes.map(\.json).map({ $0.serialized(sortKeys: true) }).joined(separator: "\n").utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
