import Foundation
import SkeinBasics

/// Whether consumer code runs inside bubblewrap or, by explicit opt-out, directly.
public enum SandboxMode: String, Sendable {
    case bubblewrap = "bwrap"
    case none
}

/// How one consumer's untrusted build and tests run: where, for how long, with what limits.
public struct SandboxPolicy: Sendable {
    /// The consumer's checkout; the only place of the caller's the run may write.
    public var worktree: String
    /// A per-consumer directory kept between runs (build products, fetched dependencies).
    public var buildCache: String
    /// Where the output of a test run goes; other steps write beside it (`.resolve`, `.rerun`, `.run`).
    public var logFile: String
    /// Wall-clock seconds before the whole process tree is killed.
    public var timeout: Double
    public var mode: SandboxMode
    /// The `bwrap` executable a sandboxed run uses: by default the one on PATH, nil when there
    /// is none. A run with no executable bubblewrap here is refused, never run unsandboxed.
    public var bubblewrapPath: String? = Bubblewrap.executablePath
    /// CPU seconds per process (RLIMIT_CPU).
    public var cpuSeconds: Int = 3600
    /// Processes and threads alive at once: a pids cgroup where the machine allows it, and
    /// RLIMIT_NPROC (which the kernel does not enforce for the real root user).
    public var maxProcesses: Int = 4096
    /// Largest file a process may write, in bytes (RLIMIT_FSIZE).
    public var maxFileSize: UInt64 = 4 << 30
    /// Memory of the whole run, through a cgroup; nil for none. Where the machine gives no
    /// cgroup, the report says that no memory limit applied (`ulimit -v` breaks `swift test`).
    public var memoryBytes: UInt64? = 8 << 30
    /// Size of the private `/tmp` (a tmpfs, counted against memory).
    public var tmpBytes: UInt64 = 2 << 30
    /// Bytes of output kept in the log; beyond it the head and the last `logTailBytes` are kept.
    public var logLimit: Int = 8 << 20
    /// How much of the end of a long output is kept in the log after the cut.
    public var logTailBytes: Int = 512 << 10
    /// Local copies of the package's dependencies, which resolution inside the sandbox uses
    /// instead of their URLs. No step has the network: skein fetches them beforehand.
    public var dependencies: DependencyMirrors?
    /// The uid and gid sandboxed processes run as when skein runs as root (nil: as root, which
    /// only a test of this very setting should want). Unassigned on most systems: `nobody`.
    public var unprivilegedUser: SandboxUser? = SandboxUser(uid: 65534, gid: 65534)
    /// CPU cores the whole run may use at once (a cgroup CPU quota); nil for no quota. By
    /// default one core less than the machine has (at least one), so that no consumer can take
    /// the whole machine.
    public var cpuCores: Double? = Double(max(1, ProcessInfo.processInfo.activeProcessorCount - 1))
    /// Bytes the build cache may take on disk; a run that grows it past this is stopped, and a
    /// cache found larger after a run is emptied.
    public var maxCacheBytes: UInt64 = 8 << 30

    public init(worktree: String, buildCache: String, logFile: String, timeout: Double = 900, mode: SandboxMode = .bubblewrap) {
        self.worktree = worktree
        self.buildCache = buildCache
        self.logFile = logFile
        self.timeout = timeout
        self.mode = mode
    }
}

/// A uid and gid on the host.
public struct SandboxUser: Sendable, Equatable {
    public var uid: uid_t
    public var gid: gid_t
    public init(uid: uid_t, gid: gid_t) {
        self.uid = uid
        self.gid = gid
    }
}

/// Bare repositories skein fetched for a package's dependencies, and which URL each stands in for.
public struct DependencyMirrors: Sendable, Equatable {
    /// The folder holding them (bound read-only into the sandbox).
    public var directory: String
    /// Each dependency URL as the package names it, and the folder name of its copy in `directory`.
    public var mirrors: [Mirror]

    public struct Mirror: Sendable, Equatable {
        public var original: String
        public var name: String
        public init(original: String, name: String) {
            self.original = original
            self.name = name
        }
    }

    public init(directory: String, mirrors: [Mirror]) {
        self.directory = directory
        self.mirrors = mirrors
    }

    /// Where the copies appear inside the sandbox, and where SwiftPM finds the mirror list.
    static let sandboxDirectory = "/skein/dependencies"
    static let sandboxMirrorsFile = "/skein/mirrors.json"

    /// SwiftPM's mirror configuration (`swift package config set-mirror` writes the same
    /// format), naming the copies as they are seen from `directory`.
    func mirrorsJSON(seenAt directory: String) -> String {
        let entries = mirrors.map {
            JSONValue.object([("mirror", .string(directory + "/" + $0.name)), ("original", .string($0.original))])
        }
        return JSONValue.object([("object", .array(entries)), ("version", .int(1))]).serialized(sortKeys: true) + "\n"
    }
}
