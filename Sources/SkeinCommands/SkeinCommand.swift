import ArgumentParser
import Foundation
import SkeinBasics

/// The `skein` command tree.
public struct SkeinCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "skein",
        abstract: "Migrate every downstream consumer of a dataset when its schema changes.",
        discussion: """
            skein reads a schema registry (a git repo of datasets/*.yaml and migrations/*.yaml), finds \
            the consumers among bare mirrors, rewrites their Swift sources and config files, runs their \
            tests in a sandbox and commits the result to skein/<migration> branches, with every outcome \
            recorded in the refs/notes/skein ledger.
            """,
        version: "0.1.0",
        subcommands: [
            MirrorCommand.self, DiscoverCommand.self, PlanCommand.self, RunCommand.self, StatusCommand.self,
            PushCommand.self, RollbackCommand.self, CheckCommand.self, HookCommand.self, TriggerCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line and exits with the contract's codes: 2 for bad usage or input, 3 for
    /// skein's own faults.
    public static func run(arguments: [String]? = nil) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            return report(error)
        }
    }

    /// Prints an error the way the contract wants and returns its exit code.
    public static func report(_ error: Error) -> Int32 {
        switch error {
        case let failure as SkeinFailure:
            FileHandle.standardError.write(Data("skein: error: \(failure)\n".utf8))
            return failure.exitStatus.rawValue
        case let exit as CommandExit:
            return exit.status.rawValue
        default:
            let code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if !message.isEmpty {
                let stream = code == 0 ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
            // ArgumentParser validation and parse errors are usage errors: exit 2 per the contract.
            return code == 0 ? 0 : (code == 64 || code == 1 ? ExitStatus.badInput.rawValue : code)
        }
    }
}

/// Ends a command with a contract exit code after it has printed its own output.
public struct CommandExit: Error {
    public var status: ExitStatus
    public init(_ status: ExitStatus) { self.status = status }
}
