import ArgumentParser
import Fleet
import Foundation
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

        @OptionGroup var registry: RegistryOption
        @Option(help: "The mirrors directory runs use (recorded in the registry's git config).") var mirrors: String?
        @Option(help: "A consumer checkout to guard with a pre-commit check.") var consumer: String?

        func run() async throws {
            let registryPath = try registry.existing()
            let binary = currentExecutable()
            if let consumer {
                let consumerPath = try Inputs.repository(consumer, role: "consumer")
                let hook = try Hooks.install(
                    HookScripts.preCommit, named: "pre-commit", inRepositoryAt: consumerPath,
                    config: [("skein.binary", binary), ("skein.registry", registryPath)])
                print("installed \(hook)")
                return
            }
            var config = [("skein.binary", binary)]
            if let mirrors {
                guard FileManager.default.fileExists(atPath: mirrors) else { throw InputError("\(mirrors): no such mirrors directory") }
                config.append(("skein.mirrors", Inputs.absolute(mirrors)))
            }
            let bare = try Hooks.isBare(registryPath)
            let hook = try Hooks.install(
                bare ? HookScripts.postReceive : HookScripts.postCommit, named: bare ? "post-receive" : "post-commit",
                inRepositoryAt: registryPath, config: config)
            print("installed \(hook)")
        }
    }
}

/// This skein binary's own path, for hooks to call back.
func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Inputs.absolute(CommandLine.arguments[0])
}
