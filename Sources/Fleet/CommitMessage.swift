import Foundation
import Ledger
import Rewrite
import Sandbox
import SkeinBasics

/// The message of a migration commit (SPEC §6), written to read like a good pull request: a
/// subject of at most 72 characters in plain words that says when the result is not green, then
/// why (the schema commit), what was applied with counts, the files, the tests before and after,
/// what needs a human (file:line), how to undo, and the trailers.
struct CommitMessage {
    /// The test runs the message reports: the base's (nil when it could not be run) and after.
    struct Tests {
        var command: String
        var base: TestReport?
        var after: TestReport
    }

    var migration: Migration
    var base: String
    var status: MigrationStatus
    /// Edits per change, keyed by `Change.summary`.
    var counts: [String: Int]
    var files: [String]
    var tests: Tests?
    var attention: [String]
    /// Why the run itself failed, for an `error` status.
    var error: String? = nil
    /// How Swift renames were decided (compiler index or syntax resolver).
    var resolvedBy: [String] = []

    static let subjectLimit = 72

    var text: String {
        var lines = [subject, ""]
        let description = migration.description.flatMap { $0.isEmpty ? nil : $0 }
        if let reason = migration.reason {
            lines.append("Why: registry commit \(migration.schemaCommit.prefix(10)) by \(reason.author):")
            lines += ["", "    \(reason.subject)", ""]
            if let description { lines += [description, ""] }
        } else if let description {
            // A migration file given by hand: its description is the reason.
            lines += ["Why: \(description)", ""]
        } else if !migration.schemaCommit.isEmpty {
            lines += ["Why: registry commit \(migration.schemaCommit.prefix(10)).", ""]
        }
        if status == .error, let error {
            lines += ["Status: error: \(error)", ""]
        } else if let verdict = CommitMessage.verdict(status) {
            lines += ["Status: \(status.rawValue): \(verdict)", ""]
        }

        let applied = appliedChanges
        if applied.isEmpty {
            lines += ["Changes applied: none counted (the files below were changed by the migration's commands).", ""]
        } else {
            let width = max(5, applied.map { String($0.count).count }.max() ?? 0)
            lines += ["Changes applied:", ""]
            lines.append("    " + String(repeating: " ", count: width - 5) + "edits  change")
            // Catch-up: changes listed by the dataset version they take the consumer from (said
            // only when they come from more than one).
            let origins = Set(migration.origins.values).count > 1 ? migration.origins : [:]
            let byOrigin = applied.enumerated().sorted {
                (migration.origins[$0.element.change] ?? .max, $0.offset) < (migration.origins[$1.element.change] ?? .max, $1.offset)
            }.map(\.element)
            for (change, count) in byOrigin {
                let number = String(count)
                let origin = origins[change].map { "  (from v\($0))" } ?? ""
                lines.append("    " + String(repeating: " ", count: width - number.count) + number + "  " + change.summary + origin)
            }
            lines.append("")
        }
        lines.append("Files touched (\(files.count)):")
        lines += files.map { "- \($0)" }
        if let tests {
            // A long custom command would bury the counts; the ledger keeps it (`test_command`).
            lines += ["", tests.command.count <= 40 ? "Tests (`\(tests.command)`):" : "Tests:"]
            lines.append("- at the base \(base.prefix(10)): " + (tests.base.map(CommitMessage.describe) ?? "not run"))
            lines.append("- after the migration: " + CommitMessage.describe(tests.after))
        }
        if !resolvedBy.isEmpty { lines += ["", "How names were resolved:"] + resolvedBy.map { "- \($0)" } }
        if !attention.isEmpty {
            lines += ["", status == .testsPassed ? "Notes:" : "Needs a human:"] + attention.map { "- \($0)" }
        }
        lines += [
            "",
            "To undo: before it is merged, delete the branch skein/\(migration.id) (`skein rollback`",
            "does it and records it); once merged, revert this commit (`skein rollback` commits the",
            "revert on skein/\(migration.id)-rollback).",
            "",
            "Skein-Migration: \(migration.id)",
            "Skein-Schema-Commit: \(migration.schemaCommit)",
            "Skein-Base: \(base)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The changes that did something here, with their edit counts: renames and retypes first
    /// (what a reviewer reads the code for), then locations, versions and the rest, each group in
    /// the migration's order.
    var appliedChanges: [(change: Change, count: Int)] {
        var seen: Set<String> = []
        let applied = migration.changes.enumerated().compactMap { index, change -> (Int, Change, Int)? in
            guard let count = counts[change.summary], count > 0, seen.insert(change.summary).inserted else { return nil }
            return (index, change, count)
        }
        return applied.sorted { (CommitMessage.rank($0.1), $0.0) < (CommitMessage.rank($1.1), $1.0) }.map { ($0.1, $0.2) }
    }

    static func rank(_ change: Change) -> Int {
        switch change {
        case .renameField, .renameDataset, .renameType, .renameMember, .renameModule: 0
        case .changeFieldType: 1
        case .moveLocation, .replaceString: 2
        case .bumpVersion: 3
        default: 4
        }
    }

    /// `skein: <id>: <plain words>[ (needs a look)]`, at most 72 characters: the changes' long
    /// phrases when they fit, else their short ones, else as many as fit and "and N more".
    var subject: String {
        let prefix = "skein: \(migration.id): "
        let suffix = CommitMessage.subjectSuffix(status).map { " (\($0))" } ?? ""
        var phrases = appliedChanges.map { CommitMessage.phrases($0.change) }
        if phrases.isEmpty {
            let commands = migration.changes.filter { if case .run = $0 { true } else { false } }
            phrases = commands.map(CommitMessage.phrases)
        }
        if phrases.isEmpty { phrases = [("update \(files.count) file\(files.count == 1 ? "" : "s")", "update files")] }
        let room = CommitMessage.subjectLimit - prefix.count - suffix.count
        func unique(_ words: [String]) -> [String] {
            var seen: Set<String> = []
            return words.filter { seen.insert($0).inserted }
        }
        let long = unique(phrases.map(\.long)).joined(separator: ", ")
        if long.count <= room { return prefix + long + suffix }
        let short = unique(phrases.map(\.short))
        for kept in stride(from: short.count, through: 1, by: -1) {
            let more = short.count - kept
            let text = short.prefix(kept).joined(separator: ", ") + (more > 0 ? " and \(more) more" : "")
            if text.count <= room { return prefix + text + suffix }
        }
        // Only a very long migration id (or one long phrase) gets here: cut it visibly.
        let whole = prefix + (short.first ?? "") + suffix
        return whole.count <= CommitMessage.subjectLimit ? whole : String(whole.prefix(CommitMessage.subjectLimit - 1)) + "…"
    }

    /// A change in plain words, long (`rename track_id to track_uri`) and short (`rename track_id`).
    static func phrases(_ change: Change) -> (long: String, short: String) {
        switch change {
        case let .renameField(_, from, to): ("rename \(from) to \(to)", "rename \(from)")
        case let .changeFieldType(_, field, _, to): ("retype \(field) to \(to)", "retype \(field)")
        case let .removeField(_, field): ("flag uses of removed \(field)", "flag \(field)")
        case let .addField(_, field, _): ("note new field \(field)", "note \(field)")
        case let .moveLocation(dataset, _, _): ("move the \(dataset) location", "move location")
        case let .bumpVersion(dataset, _, to): ("bump \(dataset) to v\(to)", "bump version")
        case let .renameDataset(from, to): ("rename dataset \(from) to \(to)", "rename dataset \(from)")
        case let .retiredName(_, field): ("flag uses of reused name \(field)", "flag \(field)")
        case let .renameType(from, to): ("rename \(from) to \(to)", "rename \(from)")
        case let .renameMember(type, from, to, _): ("rename \(type).\(from) to \(to)", "rename \(from)")
        case let .renameModule(from, to): ("rename module \(from) to \(to)", "rename module \(from)")
        case let .replaceString(from, _): ("replace \(from)", "replace strings")
        case let .configSet(_, path, _): ("set \(path)", "set config")
        case let .configRenameKey(_, path, to): ("rename key \(path) to \(to)", "rename config key")
        case let .configDelete(_, path): ("delete \(path)", "delete config")
        case let .run(command): ("run \(command)", "run a command")
        }
    }

    /// The subject's mark for a result that is not green.
    static func subjectSuffix(_ status: MigrationStatus) -> String? {
        switch status {
        case .needsHuman: "needs a look"
        case .testsFailed: "tests fail"
        case .error: "error"
        default: nil
        }
    }

    /// What a status asks of the reviewer, for the body's status line.
    static func verdict(_ status: MigrationStatus) -> String? {
        switch status {
        case .needsHuman: "the tests pass, but some references could not be rewritten safely (listed below)"
        case .testsFailed: "the migrated code does not build or fails a test that passed at the base (listed below)"
        case .error: "the run itself failed; see below"
        default: nil
        }
    }

    /// `2 passed, 1 failed, 1 skipped`, or what stopped the run.
    static func describe(_ report: TestReport) -> String {
        let counts = "\(report.passed) passed, \(report.failed) failed, \(report.skipped) skipped"
        switch report.outcome {
        case .passed, .testsFailed: return counts
        case .buildFailed: return "does not build"
        case .timedOut: return "timed out"
        case .sandboxFailed(let reason): return "stopped by the sandbox: \(reason)"
        }
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
