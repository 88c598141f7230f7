import Foundation
import GitKit
import SkeinBasics

/// The test result of a consumer's base commit, as the baseline cache keeps it: enough to tell
/// later which failures a migration found rather than caused.
public struct BaselineRecord: Sendable, Equatable {
    /// How the base's test run ended.
    public enum Outcome: String, Sendable {
        case passed
        case testsFailed = "tests-failed"
        case buildFailed = "build-failed"
    }

    public var command: String
    public var outcome: Outcome
    public var passed: Int
    public var failed: Int
    public var skipped: Int
    /// The failing tests' names.
    public var failing: [String]
    /// The run's log, relative to the fleet's state folder.
    public var log: String
    public var at: String

    public init(
        command: String, outcome: Outcome, passed: Int, failed: Int, skipped: Int, failing: [String], log: String,
        at: String = Timestamp.now()
    ) {
        self.command = command
        self.outcome = outcome
        self.passed = passed
        self.failed = failed
        self.skipped = skipped
        self.failing = failing
        self.log = log
        self.at = at
    }

    var line: String {
        JSONValue.object([
            ("test_command", .string(command)), ("outcome", .string(outcome.rawValue)), ("passed", .int(passed)),
            ("failed", .int(failed)), ("skipped", .int(skipped)), ("failing", .array(failing.map(JSONValue.string))),
            ("log", .string(log)), ("at", .string(at)),
        ]).serialized(sortKeys: true)
    }

    init?(line: String) {
        guard let value = try? JSONValue.parse(line),
              let command = value["test_command"]?.stringValue,
              let outcome = value["outcome"]?.stringValue.flatMap(Outcome.init(rawValue:))
        else { return nil }
        self.init(
            command: command, outcome: outcome, passed: value["passed"]?.intValue ?? 0,
            failed: value["failed"]?.intValue ?? 0, skipped: value["skipped"]?.intValue ?? 0,
            failing: value["failing"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            log: value["log"]?.stringValue ?? "", at: value["at"]?.stringValue ?? "")
    }
}

/// Test results per base commit and test command, in the mirror's `refs/notes/skein-baseline`:
/// a base is tested once, however many migrations or runs look at it. The cache is this
/// machine's own (never pushed, never taken from an upstream); its lines are kept apart from
/// the outcome ledger so that ledger's lines stay outcomes only.
public struct BaselineCache {
    public static let ref = Ledger.baselineRef

    let repository: Repository
    let signature: Signature

    public init(repository: Repository, signature: Signature = .skein) {
        self.repository = repository
        self.signature = signature
    }

    /// The latest result for `base` run with `command`, if the cache has one.
    public func record(on base: ObjectID, command: String) throws(GitError) -> BaselineRecord? {
        let note = try repository.note(on: base, ref: Self.ref) ?? ""
        // Only lines written here: a cache an older version merged from an upstream is not read.
        let own = Ledger(repository: repository).ownLineIDs()
        return note.split(separator: "\n").map(String.init).filter { own.contains(Ledger.lineID($0)) }
            .compactMap { BaselineRecord(line: $0) }.last { $0.command == command }
    }

    /// Adds `record` for `base`; earlier lines stay.
    public func store(_ record: BaselineRecord, on base: ObjectID) throws(GitError) {
        try Ledger(repository: repository, signature: signature, ref: Self.ref).appendLine(record.line, on: base)
    }
}
