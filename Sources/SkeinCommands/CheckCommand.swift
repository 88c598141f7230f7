import ArgumentParser
import Fleet
import Foundation
import GitKit
import SkeinBasics

/// `skein check`: no backsliding. Lists uses of retired fields, locations, dataset ids and
/// versions in a consumer checkout; exit 1 if there are any.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List uses of retired fields, locations and versions in a consumer checkout.",
        discussion: "Prints `path:line: <old> → <new>` per use and exits 1 if there is any, 0 if none.")

    @Option(help: "The schema registry.") var registry: String
    @Flag(help: "Check only the staged content of files changed in the index (what the pre-commit hook uses).")
    var staged = false
    @Argument(help: "The consumer checkout (default: the current directory).") var path: String = "."

    func run() async throws {
        guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(path): no such directory") }
        let migrations = try RetiredUses.migrations(registryPath: registry)
        var findings: [RetiredUses.Finding]
        if staged {
            let repository = try openRepository(path, role: "consumer")
            let indexTree = try repository.stagedTree()
            let changed = try repository.changedPaths(from: try repository.treeOfHead(), to: indexTree).compactMap(\.new)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("skein-check-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            // The whole staged tree gives the rewrites their type context; findings are kept to
            // the changed files.
            let all = repository.isHeadUnborn ? [] : try repository.files(in: try repository.resolve("HEAD")).map(\.path)
            try repository.export(tree: indexTree, paths: Array(Set(all + changed)), to: scratch)
            findings = RetiredUses.find(in: scratch, migrations: migrations, only: Set(changed))
        } else {
            findings = RetiredUses.find(in: absolute(path), migrations: migrations)
        }
        for finding in findings { print(finding) }
        if findings.isEmpty { return }
        FileHandle.standardError.write(Data("skein: \(findings.count) use\(findings.count == 1 ? "" : "s") of retired names\n".utf8))
        throw CommandExit(.someFailed)
    }
}
