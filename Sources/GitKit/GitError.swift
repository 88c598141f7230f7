import CGit2
import SkeinBasics

/// A failed libgit2 call (or a repository state skein cannot work with), naming the repository
/// and the operation.
public struct GitError: SkeinFailure, TransientFault {
    /// What skein was doing: the libgit2 function, or a short verb such as `open`.
    public var operation: String
    /// The repository path (or the mirror name) it concerns.
    public var repository: String
    /// libgit2's error code (`GIT_ENOTFOUND`, ...), or -1 for skein's own checks.
    public var code: Int32
    public var message: String

    public init(operation: String, repository: String, code: Int32 = -1, message: String) {
        self.operation = operation
        self.repository = repository
        self.code = code
        self.message = message
    }

    public var description: String { "\(repository): \(operation) failed: \(message)" }

    /// Repository faults are faults of the run (`error` status), not of the user's input.
    public var exitStatus: ExitStatus { .internalFailure }

    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    /// A lock held by another writer: worth retrying after a pause.
    public var isTransient: Bool { code == GIT_ELOCKED.rawValue || code == GIT_EMODIFIED.rawValue }
}

/// Initializes libgit2 once per process; it is never shut down.
let libgit2Initialized: Bool = {
    git_libgit2_init()
    // Mirrors are skein's own, but worktrees hold a consumer's files: owner checks only get in
    // the way of a root CI user working on files it created itself.
    return true
}()

/// Runs one libgit2 call and turns a negative result into a `GitError`, reading the
/// thread-local message at once (it may be NULL on 1.5).
@discardableResult
func check(_ function: String, _ repository: String, _ call: () -> Int32) throws(GitError) -> Int32 {
    _ = libgit2Initialized
    git_error_clear()
    let result = call()
    guard result < 0 else { return result }
    throw lastError(function, repository, code: result)
}

func lastError(_ function: String, _ repository: String, code: Int32) -> GitError {
    var message = "libgit2 error \(code)"
    if let error = git_error_last(), let text = error.pointee.message {
        message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return GitError(operation: function, repository: repository, code: code, message: message)
}
