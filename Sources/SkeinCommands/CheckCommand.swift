import ArgumentParser
import Fleet
import Foundation
import SkeinBasics

/// `skein check`: no backsliding. Lists uses of retired fields, locations, dataset ids and
/// versions in a consumer checkout; exit 1 if there are any.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List uses of retired fields, locations and versions in a consumer checkout.",
        discussion: "Prints `path:line: <old> → <new>` per use and exits 1 if there is any, 0 if none.")

    @OptionGroup var registry: RegistryOption
    @Flag(help: "Check only the staged content of files changed in the index (what the pre-commit hook uses).")
    var staged = false
    @Argument(help: "The consumer checkout (default: the current directory).") var path: String = "."

    func run() async throws {
        guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(path): no such directory") }
        let migrations = try RetiredUses.migrations(registryPath: registry.registry)
        var findings: [RetiredUses.Finding]
        if staged {
            findings = try RetiredUses.findStaged(inRepositoryAt: try Inputs.repository(path, role: "consumer"), migrations: migrations)
        } else {
            findings = RetiredUses.find(in: Inputs.absolute(path), migrations: migrations)
        }
        for finding in findings { print(finding) }
        if findings.isEmpty { return }
        FileHandle.standardError.write(Data("skein: \(findings.count) use\(findings.count == 1 ? "" : "s") of retired names\n".utf8))
        throw CommandExit(.someFailed)
    }
}
