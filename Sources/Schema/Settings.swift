import Foundation
import SkeinBasics
import Yams

/// The registry's `skein.yaml` (SPEC §7). Every setting is optional.
public struct RegistrySettings: Hashable, Sendable {
    /// The mirrors directory, resolved against the registry root.
    public var mirrors: String?
    public var jobs: Int?
    public var testCommand: String?
    public var testTimeout: Double?
    public var sandbox: String?
    public var userName: String?
    public var userEmail: String?
    /// Migrate in waves (SPEC §7); an explicit migration's own `rollout` takes precedence.
    public var rollout: Rollout?

    public init(
        mirrors: String? = nil, jobs: Int? = nil, testCommand: String? = nil, testTimeout: Double? = nil,
        sandbox: String? = nil, userName: String? = nil, userEmail: String? = nil
    ) {
        self.mirrors = mirrors
        self.jobs = jobs
        self.testCommand = testCommand
        self.testTimeout = testTimeout
        self.sandbox = sandbox
        self.userName = userName
        self.userEmail = userEmail
    }

    /// Reads `skein.yaml`; relative `mirrors` are resolved against `root`.
    public static func parse(_ text: String, path: String, root: String) throws(SchemaError) -> RegistrySettings {
        let reader = YAMLReader(path: path)
        guard let node = try YAMLDocument.compose(text, path: path) else { return RegistrySettings() }
        try reader.checkKeys(node, "skein.yaml", allowed: ["mirrors", "jobs", "test", "user", "rollout"])
        let map = try reader.mapping(node, "skein.yaml")
        var settings = RegistrySettings()
        if let mirrors = map["mirrors"] {
            let value = try reader.nonEmptyString(mirrors, "`mirrors`")
            settings.mirrors = value.hasPrefix("/")
                ? value
                : URL(fileURLWithPath: root).appendingPathComponent(value).standardizedFileURL.path
        }
        if let jobs = map["jobs"] {
            let value = try reader.int(jobs, "`jobs`")
            guard value > 0 else { throw reader.fail(jobs, "`jobs` must be at least 1") }
            settings.jobs = value
        }
        if let test = map["test"] {
            try reader.checkKeys(test, "`test`", allowed: ["command", "timeout", "sandbox"])
            let testMap = try reader.mapping(test, "`test`")
            settings.testCommand = try testMap["command"].map { (node) throws(SchemaError) -> String in
                try reader.nonEmptyString(node, "`test.command`")
            }
            settings.testTimeout = try testMap["timeout"].map { (node) throws(SchemaError) -> Double in
                try positiveTimeout(node, reader: reader)
            }
            if let sandbox = testMap["sandbox"] {
                let value = try reader.string(sandbox, "`test.sandbox`")
                guard ["bwrap", "none"].contains(value) else {
                    throw reader.fail(sandbox, "`test.sandbox` must be bwrap or none, not `\(value)`")
                }
                settings.sandbox = value
            }
        }
        if let user = map["user"] {
            try reader.checkKeys(user, "`user`", allowed: ["name", "email"])
            let userMap = try reader.mapping(user, "`user`")
            settings.userName = try userMap["name"].map { (node) throws(SchemaError) -> String in
                try reader.nonEmptyString(node, "`user.name`")
            }
            settings.userEmail = try userMap["email"].map { (node) throws(SchemaError) -> String in
                try reader.nonEmptyString(node, "`user.email`")
            }
        }
        if let rollout = map["rollout"] { settings.rollout = try RolloutSettings.parse(rollout, reader: reader) }
        return settings
    }
}

/// A consumer's `.skein.yaml` (SPEC §1): how to test it, whether green migrations may be
/// merged, and paths skein must never edit.
public struct ConsumerSettings: Hashable, Sendable {
    public var testCommand: String?
    public var testTimeout: Double?
    public var automerge: Bool
    public var exclude: [Glob]

    public init(testCommand: String? = nil, testTimeout: Double? = nil, automerge: Bool = false, exclude: [Glob] = []) {
        self.testCommand = testCommand
        self.testTimeout = testTimeout
        self.automerge = automerge
        self.exclude = exclude
    }

    public static func parse(_ text: String, path: String) throws(SchemaError) -> ConsumerSettings {
        let reader = YAMLReader(path: path)
        guard let node = try YAMLDocument.compose(text, path: path) else { return ConsumerSettings() }
        try reader.checkKeys(node, ".skein.yaml", allowed: ["test", "automerge", "exclude"])
        let map = try reader.mapping(node, ".skein.yaml")
        var settings = ConsumerSettings()
        if let test = map["test"] {
            try reader.checkKeys(test, "`test`", allowed: ["command", "timeout"])
            let testMap = try reader.mapping(test, "`test`")
            settings.testCommand = try testMap["command"].map { (node) throws(SchemaError) -> String in
                try reader.nonEmptyString(node, "`test.command`")
            }
            settings.testTimeout = try testMap["timeout"].map { (node) throws(SchemaError) -> Double in
                try positiveTimeout(node, reader: reader)
            }
        }
        if let automerge = map["automerge"] { settings.automerge = try reader.bool(automerge, "`automerge`") }
        if let exclude = map["exclude"] { settings.exclude = try reader.strings(exclude, "`exclude`").map(Glob.init) }
        return settings
    }

    /// Reads a consumer's `.skein.yaml` bytes, refusing text that is not UTF-8.
    public static func parse(data: Data, path: String) throws(SchemaError) -> ConsumerSettings {
        try parse(YAMLDocument.text(of: data, path: path), path: path)
    }
}

private func positiveTimeout(_ node: Node, reader: YAMLReader) throws(SchemaError) -> Double {
    let value = try reader.number(node, "`test.timeout` (seconds)")
    guard value > 0 else { throw reader.fail(node, "`test.timeout` must be more than 0 seconds") }
    return value
}
