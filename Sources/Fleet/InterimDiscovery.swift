// Interim declarations matching the agreed discovery API, replaced when discovery lands.
import GitKit
import SkeinBasics

public struct Consumer: Sendable {
    public var repo: String, mirrorPath: String, base: ObjectID, defaultBranch: String, declared: Bool, evidence: [String]
}
public enum Discovery {
    public static func consumers(of migration: Migration, mirrors: String, jobs: Int) async throws
        -> (consumers: [Consumer], skipped: [(repo: String, reason: String)]) { fatalError() }
}
