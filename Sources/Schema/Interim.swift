// Interim declarations matching the agreed Schema API, replaced when the module lands.
import SkeinBasics

public struct SchemaError: SkeinFailure {
    public var path: String, line: Int, message: String
    public var description: String { "\(path):\(line): \(message)" }
    public var exitStatus: ExitStatus { .badInput }
}
public struct RegistrySettings: Sendable {
    public var mirrors: String?, jobs: Int?, testCommand: String?, testTimeout: Double?, sandbox: String?, userName: String?, userEmail: String?
}
public struct ConsumerSettings: Sendable {
    public var testCommand: String?, testTimeout: Double?, automerge: Bool = false, exclude: [Glob] = []
    public init() {}
    public static func parse(_ text: String, path: String) throws(SchemaError) -> ConsumerSettings { fatalError() }
}
public struct RegistryPlan: Sendable { public var migrations: [Migration]; public var notes: [String]; public var errors: [SchemaError] }
public struct Registry {
    public init(path: String) throws { fatalError() }
    public var settings: RegistrySettings { fatalError() }
    public func plan(commit: String?) throws -> RegistryPlan { fatalError() }
    public func plan(from old: String, to new: String) throws -> RegistryPlan { fatalError() }
    public func plan(migrationFile: String) throws -> RegistryPlan { fatalError() }
}
