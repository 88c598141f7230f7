import Foundation
import SkeinBasics

/// A consumer's status for a migration (SPEC §6).
public enum MigrationStatus: String, Sendable, CaseIterable, Codable {
    case notAffected = "not-affected"
    case testsPassed = "tests-passed"
    case testsFailed = "tests-failed"
    case needsHuman = "needs-human"
    case error
    case merged
    case rolledBack = "rolled-back"

    /// Statuses that count as done-and-well for the exit code (SPEC §5).
    public var isGood: Bool {
        switch self {
        case .notAffected, .testsPassed, .merged, .rolledBack: true
        case .testsFailed, .needsHuman, .error: false
        }
    }
}

/// Test counts as the ledger records them.
public struct TestCounts: Hashable, Sendable {
    public var passed: Int
    public var failed: Int
    public var skipped: Int
    public init(passed: Int, failed: Int, skipped: Int) {
        self.passed = passed
        self.failed = failed
        self.skipped = skipped
    }
    var json: JSONValue { .object([("failed", .int(failed)), ("passed", .int(passed)), ("skipped", .int(skipped))]) }
}

/// One line of the ledger: what happened to one consumer for one migration, at one time.
public struct LedgerEntry: Hashable, Sendable {
    public var migration: String
    public var status: MigrationStatus
    public var repo: String
    public var base: String
    public var commit: String?
    public var schemaCommit: String
    /// RFC 3339, UTC, with milliseconds.
    public var at: String
    public var tests: TestCounts?
    public var files: [String]?
    public var attention: [String]?
    public var error: String?
    public var durationSeconds: Double?
    /// Keys beyond the contract's (`branch`, `rules`, `log`, `undeclared`, ...), kept as read.
    public var extra: [String: JSONValue]

    public init(
        migration: String, status: MigrationStatus, repo: String, base: String, commit: String? = nil,
        schemaCommit: String, at: String = Timestamp.now(), tests: TestCounts? = nil, files: [String]? = nil,
        attention: [String]? = nil, error: String? = nil, durationSeconds: Double? = nil, extra: [String: JSONValue] = [:]
    ) {
        self.migration = migration
        self.status = status
        self.repo = repo
        self.base = base
        self.commit = commit
        self.schemaCommit = schemaCommit
        self.at = at
        self.tests = tests
        self.files = files
        self.attention = attention
        self.error = error
        self.durationSeconds = durationSeconds
        self.extra = extra
    }

    /// Marks an `error` line written because the run was stopped: the next run redoes the
    /// consumer rather than taking the line as its final outcome.
    public static let interruptedKey = "interrupted"

    // The keys beyond SPEC §6's minimum, typed. Each is kept in `extra` under its ledger key, so
    // a line read from another machine keeps whatever it holds.

    /// `rules`: the fingerprint of the migration's rules this line was made with.
    public var rules: String? {
        get { extra["rules"]?.stringValue }
        set { extra["rules"] = newValue.map(JSONValue.string) }
    }
    /// `branch`: the migration branch (`skein/<id>`), when a commit was made.
    public var branch: String? {
        get { extra["branch"]?.stringValue }
        set { extra["branch"] = newValue.map(JSONValue.string) }
    }
    /// `undeclared`: the consumer references the dataset without declaring it.
    public var undeclared: Bool {
        get { extra["undeclared"] == .bool(true) }
        set { extra["undeclared"] = .bool(newValue) }
    }
    /// `log`: the after-tests' log, relative to the mirrors directory.
    public var log: String? {
        get { extra["log"]?.stringValue }
        set { extra["log"] = newValue.map(JSONValue.string) }
    }
    /// `test_command`: the command the tests ran with.
    public var testCommand: String? {
        get { extra["test_command"]?.stringValue }
        set { extra["test_command"] = newValue.map(JSONValue.string) }
    }
    /// `resolved_by`: how the Swift renames were decided (the compiler index, the syntax
    /// resolver, a repair after the build), one line per change or event.
    public var resolvedBy: [String]? {
        get { extra["resolved_by"]?.arrayValue?.compactMap(\.stringValue) }
        set { extra["resolved_by"] = newValue.flatMap { $0.isEmpty ? nil : .array($0.map(JSONValue.string)) } }
    }
    /// `interrupted`: see `interruptedKey`.
    public var interrupted: Bool {
        get { extra[Self.interruptedKey] == .bool(true) }
        set { extra[Self.interruptedKey] = newValue ? .bool(true) : nil }
    }

    /// The line as written: compact JSON with sorted keys.
    public var line: String { json.serialized(sortKeys: true) }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("migration", .string(migration)), ("status", .string(status.rawValue)), ("repo", .string(repo)),
            ("base", .string(base)), ("commit", commit.map(JSONValue.string) ?? .null),
            ("schema_commit", .string(schemaCommit)), ("at", .string(at)),
        ]
        if let tests { pairs.append(("tests", tests.json)) }
        if let files { pairs.append(("files", .array(files.map(JSONValue.string)))) }
        if let attention { pairs.append(("attention", .array(attention.map(JSONValue.string)))) }
        if let error { pairs.append(("error", .string(error))) }
        if let durationSeconds { pairs.append(("duration_s", .double((durationSeconds * 1000).rounded() / 1000))) }
        let known = Set(pairs.map(\.0))
        for (key, value) in extra where !known.contains(key) { pairs.append((key, value)) }
        return .object(pairs)
    }

    /// Reads one ledger line; nil for a line that is not a ledger entry (blank, or another tool's).
    public init?(line: String) {
        guard let value = try? JSONValue.parse(line), case .object(let pairs) = value,
              let migration = value["migration"]?.stringValue,
              let status = value["status"]?.stringValue.flatMap(MigrationStatus.init(rawValue:)),
              let repo = value["repo"]?.stringValue
        else { return nil }
        self.migration = migration
        self.status = status
        self.repo = repo
        base = value["base"]?.stringValue ?? ""
        commit = value["commit"]?.stringValue
        schemaCommit = value["schema_commit"]?.stringValue ?? ""
        at = value["at"]?.stringValue ?? ""
        if case .object? = value["tests"], let tests = value["tests"] {
            self.tests = TestCounts(
                passed: tests["passed"]?.intValue ?? 0, failed: tests["failed"]?.intValue ?? 0,
                skipped: tests["skipped"]?.intValue ?? 0)
        }
        files = value["files"]?.arrayValue?.compactMap(\.stringValue)
        attention = value["attention"]?.arrayValue?.compactMap(\.stringValue)
        error = value["error"]?.stringValue
        if case .double(let seconds)? = value["duration_s"] { durationSeconds = seconds }
        if case .int(let seconds)? = value["duration_s"] { durationSeconds = Double(seconds) }
        let known: Set<String> = [
            "migration", "status", "repo", "base", "commit", "schema_commit", "at", "tests", "files", "attention",
            "error", "duration_s",
        ]
        extra = Dictionary(pairs.filter { !known.contains($0.0) }, uniquingKeysWith: { _, last in last })
    }

    /// Orders entries of one migration: the later `at` wins; the caller breaks ties by line order.
    public func isLater(than other: LedgerEntry) -> Bool {
        guard let mine = Timestamp.parse(at), let theirs = Timestamp.parse(other.at) else { return at > other.at }
        return mine > theirs
    }
}

/// Parses a note's text into entries, skipping lines that are not entries.
public func ledgerEntries(in note: String) -> [LedgerEntry] {
    note.split(whereSeparator: \.isNewline).compactMap { LedgerEntry(line: String($0)) }
}

/// The winning entry per migration among `entries` (in line order): the latest `at`, and among
/// equal times the later line.
public func latestEntries(_ entries: [LedgerEntry]) -> [String: LedgerEntry] {
    var winners: [String: LedgerEntry] = [:]
    for entry in entries {
        if let current = winners[entry.migration], current.isLater(than: entry) { continue }
        winners[entry.migration] = entry
    }
    return winners
}

extension LedgerEntry {
    /// `from_version`: the dataset version whose names the consumer was found using (SPEC §6).
    public var fromVersion: Int? {
        get { extra["from_version"]?.intValue }
        set { extra["from_version"] = newValue.map(JSONValue.int) }
    }
}
