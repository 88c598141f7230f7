import Foundation
import GitKit
import SkeinBasics

extension Registry {
    /// The migrations with the subject and author of their schema commit filled in, so the
    /// migration commits can quote why they exist. A commit that cannot be read leaves its
    /// migration as it was: the reason is for the reader, never a reason to stop.
    public func withReasons(_ migrations: [Migration]) -> [Migration] {
        guard let repository = try? open() else { return migrations }
        return migrations.map { migration in
            guard let id = ObjectID(hex: migration.schemaCommit), let info = try? repository.commit(id) else { return migration }
            var migration = migration
            migration.reason = MigrationReason(subject: info.subject, author: "\(info.author.name) <\(info.author.email)>")
            return migration
        }
    }
}
