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
    @Flag(help: "Check only the lines the staged commit adds, read from the index git names in GIT_INDEX_FILE (what the pre-commit hook uses).")
    var staged = false
    @Argument(help: "The consumer checkout (default: the current directory).") var path: String = "."

    func run() async throws {
        guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(path): no such directory") }
        let migrations = try RetiredUses.migrations(registryPath: registry.registry)
        let findings = staged
            ? try RetiredUses.staged(
                in: try Inputs.repository(path, role: "consumer"), indexFile: ProcessInfo.processInfo.environment["GIT_INDEX_FILE"],
                migrations: migrations)
            : RetiredUses.find(in: Inputs.absolute(path), migrations: migrations)
        for finding in findings { print(finding) }
        if findings.isEmpty { return }
        if staged {
            FileHandle.standardError.write(Data(RetiredUses.guardAdvice(findings).utf8))
        } else {
            FileHandle.standardError.write(Data("skein: \(findings.count) use\(findings.count == 1 ? "" : "s") of retired names\n".utf8))
        }
        throw CommandExit(.someFailed)
    }
}
