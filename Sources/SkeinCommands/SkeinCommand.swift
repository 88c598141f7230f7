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
            PlanWorkerCommand.self,
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
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
            return contractStatus(argumentParserCode: code.rawValue, error: error).rawValue
        }
    }

    /// ArgumentParser's parse and validation errors are bad usage (2); `--help` and `--version`
    /// end well (0); any other error that reaches here is one skein did not expect: its own
    /// fault (3), never "bad input, nothing changed".
    static func contractStatus(argumentParserCode code: Int32, error: Error) -> ExitStatus {
        if code == 0 { return .success }
        if code == ExitCode.validationFailure.rawValue { return .badInput }
        if error is ExitCode, let status = ExitStatus(rawValue: code) { return status }
        return .internalFailure
    }
}

/// Ends a command with a contract exit code after it has printed its own output.
public struct CommandExit: Error {
    public var status: ExitStatus
    public init(_ status: ExitStatus) { self.status = status }
}
