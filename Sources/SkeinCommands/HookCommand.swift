import ArgumentParser
import Foundation
import GitKit
import SkeinBasics

/// `skein hook install`: the registry's trigger hooks, or a consumer's pre-commit guard.
struct HookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook", abstract: "Install skein's git hooks.", subcommands: [Install.self])

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install the registry's trigger hook, or (with --consumer) a consumer's pre-commit guard.",
            discussion: """
                In a registry working copy: post-commit; in a bare registry: post-receive. Both call \
                `skein trigger`, which starts `skein run` in the background. With --consumer PATH: a \
                pre-commit hook running `skein check` on the staged files. core.hooksPath is honoured, \
                and an existing hook is kept and run first, never overwritten.
                """)

        @Option(help: "The schema registry.") var registry: String
        @Option(help: "The mirrors directory runs use (recorded in the registry's git config).") var mirrors: String?
        @Option(help: "A consumer checkout to guard with a pre-commit check.") var consumer: String?

        func run() async throws {
            let registryRepository = try openRepository(registry, role: "registry")
            let binary = currentExecutable()
            if let consumer {
                let repository = try openRepository(consumer, role: "consumer")
                let hook = try install(HookScripts.preCommit, named: "pre-commit", in: repository)
                try repository.setConfig("skein.binary", binary)
                try repository.setConfig("skein.registry", absolute(registry))
                print("installed \(hook)")
                _ = registryRepository
                return
            }
            let name = registryRepository.isBare ? "post-receive" : "post-commit"
            let hook = try install(name == "post-receive" ? HookScripts.postReceive : HookScripts.postCommit, named: name, in: registryRepository)
            try registryRepository.setConfig("skein.binary", binary)
            if let mirrors {
                guard FileManager.default.fileExists(atPath: mirrors) else { throw InputError("\(mirrors): no such mirrors directory") }
                try registryRepository.setConfig("skein.mirrors", absolute(mirrors))
            }
            print("installed \(hook)")
        }

        /// Writes the hook; a foreign hook already there is kept as `<name>.skein-chained` and
        /// run first by skein's.
        func install(_ script: String, named name: String, in repository: Repository) throws -> String {
            let directory = try hooksDirectory(of: repository)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/" + name
            if let existing = try? String(contentsOfFile: path, encoding: .utf8), !existing.contains("# skein: ") {
                let chained = path + ".skein-chained"
                guard !FileManager.default.fileExists(atPath: chained) else {
                    throw InputError("\(path): a hook and \(chained) both exist; merge them by hand, then install again")
                }
                guard rename(path, chained) == 0 else { throw InputError("\(path): cannot keep the existing hook") }
            }
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
            return path
        }

        func hooksDirectory(of repository: Repository) throws -> String {
            if let configured = try repository.config("core.hooksPath"), !configured.isEmpty {
                // git expands `~` with HOME; Foundation would take the password database's home.
                let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
                let expanded = (configured == "~" || configured.hasPrefix("~/")) && !home.isEmpty
                    ? (home as NSString).appendingPathComponent(String(configured.dropFirst(2)))
                    : (configured as NSString).expandingTildeInPath
                if expanded.hasPrefix("/") { return expanded }
                let root = repository.workingDirectory ?? repository.gitDirectory
                return ((root as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
            }
            return ((repository.commonDirectory as NSString).appendingPathComponent("hooks") as NSString).standardizingPath
        }
    }
}

func openRepository(_ path: String, role: String) throws -> Repository {
    guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(path): no such \(role) repository") }
    do {
        return try Repository.discover(from: path)
    } catch {
        throw InputError("\(path): not a git repository (\(error.message))")
    }
}

func absolute(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.path
}

/// This skein binary's own path, for hooks to call back.
func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? absolute(CommandLine.arguments[0])
}
