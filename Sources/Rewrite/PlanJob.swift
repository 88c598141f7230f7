import Foundation
import SkeinBasics

/// Everything planning one consumer needs, as a value that crosses a process boundary: the
/// coordinator encodes it for a rewrite worker, which decodes it, plans, and answers with the
/// plan (`RewriteResult`, also `Codable`). New inputs to planning (a compiler index, say) are new
/// optional fields here, so a job written without them still decodes.
public struct PlanJob: Codable, Sendable {
    /// How the job is encoded; a worker refuses a job of another version rather than guess.
    public static let formatVersion = 1

    public var version: Int
    public var migration: Migration
    /// The worktree (or export) to plan over.
    public var root: String
    /// The consumer's `exclude:` globs, as written.
    public var exclude: [String]
    /// Seconds the worker may spend on one file before it gives the file up.
    public var fileBudget: Double?
    /// Files not to read, with the reason (a file an earlier worker gave up on); each becomes
    /// an attention line.
    public var passOver: [SkippedFile]?
    /// The consumer's compiler index, read from its base build: Swift renames take it as the
    /// source of truth.
    public var compilerIndex: CompilerIndex?

    public init(
        migration: Migration, workspace: Workspace, fileBudget: Double? = nil, passOver: [SkippedFile] = [],
        compilerIndex: CompilerIndex? = nil
    ) {
        version = Self.formatVersion
        self.migration = migration
        root = workspace.root
        exclude = workspace.exclude.map(\.pattern)
        self.fileBudget = fileBudget
        self.passOver = passOver.isEmpty ? nil : passOver
        self.compilerIndex = compilerIndex
    }

    public var workspace: Workspace { Workspace(root: root, exclude: exclude.map(Glob.init)) }

    /// Plans the job in this process.
    public func plan() -> RewriteResult {
        Migrator(migration: migration).plan(workspace, passingOver: passOver ?? [], compilerIndex: compilerIndex)
    }

    /// The job as JSON.
    public func encoded() throws -> Data { try JSONEncoder().encode(self) }

    /// Decodes a job, refusing one of another format version.
    public static func decode(_ data: Data) throws -> PlanJob {
        let job = try JSONDecoder().decode(PlanJob.self, from: data)
        guard job.version == formatVersion else {
            throw InputError("plan job format \(job.version) is not the \(formatVersion) this skein reads")
        }
        return job
    }
}

extension RewriteResult {
    /// The plan as JSON, the way a rewrite worker answers.
    public func encoded() throws -> Data { try JSONEncoder().encode(self) }

    public static func decode(_ data: Data) throws -> RewriteResult {
        try JSONDecoder().decode(RewriteResult.self, from: data)
    }
}

/// Which consumer file planning is at, for a worker to report before it touches the file: if
/// the file crashes or stalls the worker, the coordinator can name it. Process-wide, since a
/// worker plans one job (a task-local value is not for the plain thread the worker plans on:
/// setting one there crashed optimized builds); nothing is reported outside `reporting`.
public enum PlanProgress {
    public typealias Reporter = @Sendable (_ activity: String, _ path: String) -> Void
    private static let current = Locked<Reporter?>(nil)

    /// Runs `body` with each file reported to `reporter` before it is read or rewritten.
    public static func reporting<T>(to reporter: @escaping Reporter, _ body: () throws -> T) rethrows -> T {
        current.withLock { $0 = reporter }
        defer { current.withLock { $0 = nil } }
        return try body()
    }

    /// Reports that `activity` ("reading", "rewriting") of `path` starts.
    static func at(_ activity: String, _ path: String) {
        current.withLock { $0 }?(activity, path)
    }
}
