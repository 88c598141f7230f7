import Foundation

/// The exit codes of the contract (SPEC §5), shared by every command.
public enum ExitStatus: Int32, Sendable {
    /// Done; every affected consumer ended well.
    case success = 0
    /// Done, but some consumer is `tests-failed`, `needs-human` or `error`.
    case someFailed = 1
    /// Bad usage or bad input; nothing was changed.
    case badInput = 2
    /// A fault of skein itself.
    case internalFailure = 3
    /// Stopped by SIGINT (128 + 2, as a shell reports it); what finished is recorded.
    case interrupted = 130
    /// Stopped by SIGTERM (128 + 15).
    case terminated = 143

    /// The status for a run stopped by `signal`.
    public static func stopped(by signal: Int32) -> ExitStatus {
        signal == SIGTERM ? .terminated : .interrupted
    }
}

/// An error that knows which exit code it stands for.
public protocol SkeinFailure: Error, Sendable, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}

/// Bad input from a user: a file, a flag or a repo that cannot be used as given (exit 2).
public struct InputError: SkeinFailure {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var exitStatus: ExitStatus { .badInput }
}
