/// A place in a file, as people cite it: `path:line` (1-based), with an optional column.
public struct SourceLocation: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int?

    public init(path: String, line: Int, column: Int? = nil) {
        self.path = path
        self.line = line
        self.column = column
    }

    public var description: String { "\(path):\(line)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.path, lhs.line, lhs.column ?? 0) < (rhs.path, rhs.line, rhs.column ?? 0)
    }
}

/// Something a person must look at: where, and what.
public struct AttentionItem: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `file:line: message`, the form used in commit bodies and ledger lines.
    public var description: String { "\(location): \(message)" }

    public static func < (lhs: AttentionItem, rhs: AttentionItem) -> Bool {
        (lhs.location, lhs.message) < (rhs.location, rhs.message)
    }
}
