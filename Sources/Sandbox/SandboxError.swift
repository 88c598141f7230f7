import SkeinBasics

/// A fault of the sandbox itself, not of the consumer's code: bubblewrap missing or failing to
/// start, a log that cannot be written, dependencies that cannot be fetched.
public struct SandboxError: SkeinFailure {
    public enum Kind: String, Sendable {
        /// Bubblewrap is not installed (or not usable) and `--sandbox none` was not given.
        case unavailable
        /// The sandbox or the process in it could not be started.
        case startFailed
        /// `swift package resolve` failed (network, registry, a bad manifest).
        case resolveFailed
        /// A file or directory the run needs could not be made.
        case setupFailed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Whether running again may succeed: a sandbox that did not start may on a retry. A
    /// resolve that failed or hung did so offline, from local copies: it would again.
    public var isTransient: Bool {
        switch kind {
        case .startFailed: true
        case .resolveFailed, .unavailable, .setupFailed: false
        }
    }

    public var description: String { message }

    public var exitStatus: ExitStatus {
        kind == .unavailable ? .badInput : .someFailed
    }
}
