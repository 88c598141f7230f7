import ArgumentParser
import Fleet
import Foundation
import Ledger
import SkeinBasics

/// `skein status`: migration outcomes from the mirrors' ledgers.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Report migration outcomes from the ledger.",
        discussion: "A consumer whose default branch now contains its migration (by ancestry or, after a squash merge, by patch id) is reported as merged.")

    @OptionGroup var mirrors: MirrorsOption
    @Argument(help: "Only this migration id.") var migration: String?
    @Flag(help: "Print JSON (SPEC §5).") var json = false
    @Option(help: "Write a self-contained HTML page to FILE.") var html: String?

    func validate() throws {
        if json && html != nil { throw ValidationError("give --json or --html, not both") }
    }

    func run() async throws {
        let (reports, warnings) = try await StatusReport.gather(mirrors: try mirrors.existing(), migration: migration)
        for warning in warnings { FileHandle.standardError.write(Data("skein: \(warning)\n".utf8)) }
        if let migration, reports.isEmpty { throw InputError("no consumer has a ledger entry for \(migration)") }
        if json {
            print(JSONValue.object([("migrations", .array(reports.map(\.json)))]).serialized(pretty: true))
        } else if let html {
            try StatusPage.render(reports).write(toFile: html, atomically: true, encoding: .utf8)
            print("wrote \(html)")
        } else {
            printTable(reports)
        }
        if reports.flatMap(\.repos).contains(where: { !$0.status.isGood }) { throw CommandExit(.someFailed) }
    }

    func printTable(_ reports: [MigrationReport]) {
        if reports.isEmpty { print("no migrations recorded") }
        for report in reports {
            let counts = report.counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
            print("\(report.id.terminalSafe)  (schema commit \(String(report.schemaCommit.prefix(10)).terminalSafe))  \(counts)")
            let width = max(8, report.repos.map(\.repo.terminalSafe.count).max() ?? 0)
            for repo in report.repos {
                let tests = repo.entry.tests.map { "\($0.passed)/\($0.passed + $0.failed) passed" } ?? ""
                let branch = repo.entry.commit.map { "\(MigrationBranch(report.id)) \($0.prefix(10))".terminalSafe } ?? ""
                let name = repo.repo.terminalSafe
                let pad = String(repeating: " ", count: width - name.count)
                // A line that cannot be verified here (LedgerTrust) is shown, marked.
                let mark = repo.verified ? "" : "  (unverified ledger line)"
                print("  \(name)\(pad)  \(repo.status.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0))  \(tests.padding(toLength: 14, withPad: " ", startingAt: 0))  \(branch)\(mark)")
                for item in repo.entry.attention ?? [] { print("      ! \(item.terminalSafe)") }
                if let error = repo.entry.error { print("      error: \(error.terminalSafe)") }
            }
        }
    }
}
