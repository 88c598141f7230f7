/// Why a migration exists, in its author's words: the subject and author of the registry
/// commit it came from. Migration commits quote it so a reviewer sees the reason first.
public struct MigrationReason: Hashable, Sendable, Codable {
    /// The registry commit's first line.
    public var subject: String
    /// `Name <email>` of the commit's author.
    public var author: String

    public init(subject: String, author: String) {
        self.subject = subject
        self.author = author
    }
}
