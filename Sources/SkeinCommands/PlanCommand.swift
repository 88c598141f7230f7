import ArgumentParser
import Foundation
import Schema
import SkeinBasics

/// `skein plan`: the typed changes a registry commit (or range, or migration file) makes,
/// without touching any consumer.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the typed changes a schema commit or migration file makes.",
        discussion: """
            Compares each dataset file a commit changes with its version at the commit's first \
            parent and lists one migration per changed dataset, plus the explicit migrations the \
            commit adds or changes. --commit OLD..NEW plans every commit of a range. Malformed \
            files are reported with their file and line (exit 2); the other datasets are still planned.
            """)

    @OptionGroup var registry: RegistryOption
    @Option(help: "The registry commit to plan, or a range OLD..NEW (default: HEAD).") var commit: String?
    @Option(help: "Plan this explicit migration file instead of a commit.") var migration: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        if commit != nil, migration != nil { throw ValidationError("--commit and --migration cannot be used together") }
    }

    func run() async throws {
        let registry = try Registry(path: self.registry.registry)
        let plan = try migration.map { try registry.plan(migrationFile: $0) } ?? registry.plan(commit: commit)
        if json {
            print(plan.json.serialized(pretty: true))
        } else {
            print(PlanCommand.table(plan, revision: commit ?? "HEAD"), terminator: "")
        }
        for error in plan.errors {
            FileHandle.standardError.write(Data("skein: error: \(error)\n".utf8))
        }
        if !plan.errors.isEmpty { throw CommandExit(.badInput) }
    }

    static func table(_ plan: RegistryPlan, revision: String) -> String {
        var out = ""
        if plan.migrations.isEmpty {
            out += plan.errors.isEmpty ? "nothing to migrate in \(revision)\n" : ""
        }
        for migration in plan.migrations {
            let commit = migration.schemaCommit.isEmpty ? "no commit" : "schema commit \(migration.schemaCommit.prefix(10))"
            out += "\(migration.id)  (\(commit); datasets: \(migration.datasets.joined(separator: ", ")))\n"
            if let description = migration.description { out += "  \(description)\n" }
            for change in migration.changes {
                out += "  \(change.summary)" + (migration.origins[change].map { "  (from v\($0))" } ?? "") + "\n"
            }
        }
        for note in plan.notes { out += "note: \(note)\n" }
        return out
    }
}
