import SkeinBasics

/// A registry or consumer file that cannot be used as written: which file, which line, and what
/// is wrong. Bad input (exit 2): nothing is changed when one is found.
public struct SchemaError: SkeinFailure, Hashable {
    /// The file as the user knows it (`datasets/plays.yaml`).
    public var path: String
    /// 1-based line; 0 when the problem concerns the whole file.
    public var line: Int
    public var message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    /// `path:line: message` (or `path: message` without a line).
    public var description: String { line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)" }
    public var exitStatus: ExitStatus { .badInput }
}
