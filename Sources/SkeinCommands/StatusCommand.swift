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
    @Option(help: "Only consumers owned by TEAM (spec.owner of their catalog-info.yaml; `none` for those without).")
    var owner: String?

    func validate() throws {
        if json && html != nil { throw ValidationError("give --json or --html, not both") }
    }

    func run() async throws {
        var (reports, warnings) = try await StatusReport.gather(mirrors: try mirrors.existing(), migration: migration)
        if let owner {
            reports = reports.map { $0.owned(by: owner) }.filter { !$0.repos.isEmpty }
            if reports.isEmpty { throw InputError("no consumer owned by \(owner) has a ledger entry\(migration.map { " for \($0)" } ?? "")") }
        }
        for warning in warnings { FileHandle.standardError.write(Data("skein: \(warning)\n".utf8)) }
        if let migration, reports.isEmpty { throw InputError("no consumer has a ledger entry for \(migration)") }
        if json {
            print(JSONValue.object([("migrations", .array(reports.map(\.json)))]).serialized(pretty: true))
        } else if let html {
            let patches = await StatusPage.patches(for: reports, mirrors: mirrors.mirrors)
            try StatusPage.render(reports, patches: patches).write(toFile: html, atomically: true, encoding: .utf8)
            print("wrote \(html)")
        } else {
            printTable(reports)
        }
        if reports.flatMap(\.repos).contains(where: { !$0.status.isGood }) { throw CommandExit(.someFailed) }
    }

    func printTable(_ reports: [MigrationReport]) {
        if reports.isEmpty { print("no migrations recorded") }
        let safe = TerminalText.escaped
        for report in reports {
            let merged = report.repos.filter { $0.status == .merged }.count
            print(safe(report.id) + "  (schema commit \(safe(String(report.schemaCommit.prefix(10)))))  "
                + report.counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ") + "; \(merged)/\(report.repos.count) merged")
            let repos = report.repos.sorted { ($0.status.reviewRank, $0.repo) < ($1.status.reviewRank, $1.repo) }
            let width = max(8, repos.map(\.repo.count).max() ?? 0)
            let ownerWidth = max(5, repos.map { ($0.entry.owner ?? "-").count }.max() ?? 0)
            for repo in repos {
                let branch = repo.entry.commit.map { "  \(MigrationBranch(report.id)) \($0.prefix(10))" } ?? ""
                    + (repo.entry.wave.map { "  wave \($0)" } ?? "")
                let undeclared = repo.entry.undeclared ? "  [undeclared]" : ""
                // A line that cannot be verified here (LedgerTrust) is shown, marked.
                let unverified = repo.verified ? "" : "  (unverified ledger line)"
                print("  " + safe(pad(repo.repo, width)) + "  " + pad(repo.status.rawValue, 12) + "  "
                    + safe(pad(repo.entry.owner ?? "-", ownerWidth)) + "  " + safe(OutcomeWords.why(repo.entry, status: repo.status))
                    + safe(branch) + undeclared + unverified)
                for item in repo.entry.attention ?? [] { print("      ! \(safe(item))") }
                if let error = repo.entry.error { print("      error: \(safe(error))") }
            }
            let owners = report.byOwner
            if owners.count > 1 || owners.first?.owner != nil {
                print("  by owner:")
                let width = max(10, owners.map { ($0.owner ?? "(no owner)").count }.max() ?? 0)
                for owner in owners {
                    print("    " + safe(pad(owner.owner ?? "(no owner)", width)) + "  " + owner.counts.map { "\($0.1) \($0.0)" }.joined(separator: ", "))
                }
            }
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
