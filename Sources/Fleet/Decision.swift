import Ledger
import Sandbox

/// A consumer's status and what a reviewer must read, decided in one place from what the
/// phases found, for the commit path, the path with nothing to commit and `--dry-run` alike
/// (SPEC §6): pure, so every rule of it is visible here.
struct Decision: Equatable {
    var status: MigrationStatus
    var error: String?
    var attention: [String]

    /// What the tests showed, when they ran.
    struct Tests {
        var after: TestReport
        var verdict: Verdict
        /// The base commit, shortened, for "already failing at the base" lines.
        var base: String
        var timeout: Double
        /// The command the tests ran with (the consumer's own, or the fleet's).
        var command: String
        /// How the tests changed the files skein wrote, if they did (MigrationFiles.tampering).
        var tampering: String? = nil
        /// Why the build crashed twice (the compiler or driver, not the code), when it did.
        var crash: String? = nil
    }

    /// What the phases found.
    struct Evidence {
        var migration: String
        /// Files the migration changes; 0 means there is nothing to commit.
        var changedFiles: Int
        /// References to the migration's retired names, rewritten or not.
        var referencesFound: Int
        /// References that could not be rewritten safely (file:line: why).
        var rewriteAttention: [String]
        /// Lines for the reviewer that do not change the status (a broken descriptor, ...).
        var notes: [String] = []
        /// nil when no test ran: nothing to commit, or a dry run.
        var tests: Tests?
    }

    static func decide(_ evidence: Evidence) -> Decision {
        var attention = evidence.rewriteAttention + evidence.notes
        let unsafeReferences = !evidence.rewriteAttention.isEmpty
        guard evidence.changedFiles > 0 else {
            // Nothing to commit: references found but not rewritten need a person.
            guard evidence.referencesFound > 0 || unsafeReferences else { return Decision(status: .notAffected, attention: attention) }
            if !unsafeReferences {
                attention.insert("references to \(evidence.migration) were found but none could be rewritten safely", at: 0)
            }
            return Decision(status: .needsHuman, attention: attention)
        }
        guard let tests = evidence.tests else {
            return Decision(status: unsafeReferences ? .needsHuman : .testsPassed, attention: attention)
        }
        for test in tests.verdict.preexistingFailures {
            attention.append("\(test): already failing at the base \(tests.base), not caused by this migration")
        }
        for test in tests.verdict.flaky { attention.append("\(test): failed once, then passed on a rerun (flaky)") }
        if let tampering = tests.tampering { return Decision(status: .error, error: tampering, attention: attention) }
        // A compiler that crashed says nothing about the migrated code: an error, not a failure.
        if let crash = tests.crash { return Decision(status: .error, error: crash, attention: attention) }
        switch tests.after.outcome {
        case .timedOut:
            return Decision(status: .error, error: "tests timed out after \(Int(tests.timeout)) s", attention: attention)
        case .sandboxFailed(let reason):
            return Decision(status: .error, error: "sandbox: \(reason)", attention: attention)
        default:
            if tests.verdict.buildBroke || !tests.verdict.passed {
                attention += tests.after.buildErrors.map(\.description)
                for test in tests.verdict.newFailures { attention.append("\(test): passed at the base, fails after the migration") }
                return Decision(status: .testsFailed, attention: attention)
            }
            return Decision(status: unsafeReferences ? .needsHuman : .testsPassed, attention: attention)
        }
    }
}
