import Foundation
import Rewrite
import Sandbox
import SkeinBasics

/// One repair round after a rewrite whose build failed on `type 'T' has no member 'old'` for a
/// member the migration renamed: the token the compiler points at is renamed too, and the
/// tests run once more. Recorded in `resolved_by` and the commit.
struct RepairRound {
    var migration: Migration
    var workspace: Workspace
    var runner: TestRunner
    var command: String
    /// The files skein wrote, as it wrote them: the only ones repaired, from these bytes (never
    /// from what the tests may have left in the worktree).
    var planned: [FileEdit]

    struct Outcome {
        var report: TestReport
        var crash: String?
        /// The repaired files, whole.
        var edits: [FileEdit] = []
        var notes: [String] = []
    }

    func run(after: TestReport, crash: String?,
             sandboxed: (() throws -> TestReport) throws -> TestReport) throws -> Outcome {
        var outcome = Outcome(report: after, crash: crash)
        guard after.outcome == .buildFailed, crash == nil else { return outcome }
        let root = runner.policy.mode == .bubblewrap ? Bubblewrap.packagePath : runner.policy.worktree
        let missing = Self.missingMembers(in: FileRead.tail(after.logPath), packageRoot: root)
        let repair = Migrator(migration: migration).repairs(missing, in: planned)
        guard !repair.edits.isEmpty else { return outcome }
        _ = try workspace.write(repair.edits)
        outcome.edits = repair.edits
        outcome.notes = repair.notes
        (outcome.report, outcome.crash) = try AfterBuild.run(runner, command: command, sandboxed: sandboxed)
        return outcome
    }

    /// `<root>/<path>:<line>:<column>: error: [value of ]type 'T' has no member 'name'` lines.
    static func missingMembers(in log: String, packageRoot: String) -> [MissingMember] {
        var found: [MissingMember] = []
        let prefix = packageRoot.hasSuffix("/") ? packageRoot : packageRoot + "/"
        for line in log.split(separator: "\n") where line.hasPrefix(prefix) && line.contains(": error: ") {
            guard let marker = line.range(of: ": error: ") else { continue }
            let location = line[line.index(line.startIndex, offsetBy: prefix.count)..<marker.lowerBound].split(separator: ":")
            guard location.count >= 3, let lineNumber = Int(location[location.count - 2]), let column = Int(location[location.count - 1])
            else { continue }
            let path = location.dropLast(2).joined(separator: ":")
            var message = line[marker.upperBound...]
            if message.hasPrefix("value of ") { message = message.dropFirst("value of ".count) }
            guard message.hasPrefix("type '"), let typeEnd = message.dropFirst(6).firstIndex(of: "'") else { continue }
            let type = message[message.index(message.startIndex, offsetBy: 6)..<typeEnd]
            let rest = message[typeEnd...]
            guard rest.hasPrefix("' has no member '") else { continue }
            let member = rest.dropFirst("' has no member '".count).prefix { $0 != "'" }
            guard !member.isEmpty, !path.isEmpty, !path.split(separator: "/").contains("..") else { continue }
            found.append(MissingMember(path: path, line: lineNumber, column: column, type: String(type), member: String(member)))
        }
        return found
    }
}
