import Foundation
import SkeinBasics

/// Where skein keeps its own state beside the mirrors: `<mirrors>/.skein/`.
///
/// - `worktrees/<repo>--<migration>`: worktrees while a consumer is migrated
/// - `cache/<repo>`: the consumer's build cache, kept between runs
/// - `logs/<migration>/<repo>.*.log`: test and command logs
/// - `locks/<repo>.lock`: one writer per mirror at a time (flock, released when a process dies)
public struct FleetLayout: Sendable {
    public let mirrors: String
    public init(mirrors: String) {
        self.mirrors = URL(fileURLWithPath: mirrors).standardizedFileURL.path
    }

    public var state: String { mirrors + "/.skein" }
    public func mirrorPath(_ repo: String) -> String { mirrors + "/" + repo + ".git" }
    public func worktree(_ repo: String, _ migration: String) -> String { state + "/worktrees/" + repo + "--" + migration }
    public func buildCache(_ repo: String) -> String { state + "/cache/" + repo }
    /// Bare copies of consumers' package dependencies, fetched by skein, read by the sandboxes.
    public var dependencies: String { state + "/dependencies" }
    public func log(_ migration: String, _ repo: String, _ phase: String) -> String {
        state + "/logs/" + migration + "/" + repo + "." + phase + ".log"
    }
    public func lock(_ repo: String) -> String { state + "/locks/" + repo + ".lock" }

    /// `path` relative to the mirrors directory (`.skein/logs/...`), for what is written where
    /// other machines read it: a ledger line holds no path of this machine.
    public func relative(_ path: String) -> String {
        path.hasPrefix(mirrors + "/") ? String(path.dropFirst(mirrors.count + 1)) : path
    }

    /// A worktree name git accepts (no `/`), unique per consumer and migration.
    public static func worktreeName(_ repo: String, _ migration: String) -> String {
        "skein-" + (repo + "--" + migration).map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" }
    }
}

/// An exclusive lock on one mirror, held by this process until `release` (or its death: flock
/// locks vanish with their process, so a SIGKILL never leaves a stale lock).
public final class MirrorLock: @unchecked Sendable {
    private let descriptor: Int32

    /// Waits for the lock.
    public convenience init(path: String) throws {
        // Waiting, the lock is always taken in the end.
        try self.init(path: path, wait: true)!
    }

    /// Takes the lock when it is free; nil when another process holds it (or `wait` is false
    /// and it is taken).
    public init?(path: String, wait: Bool) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FleetError("cannot open lock \(path): \(String(cString: strerror(errno)))") }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EWOULDBLOCK {
                close(descriptor)
                return nil
            }
            guard errno == EINTR else {
                close(descriptor)
                throw FleetError("cannot lock \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    public func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// A fault of the orchestration itself (exit 3 when it ends a command).
public struct FleetError: SkeinFailure, TransientFault {
    public var message: String
    public var isTransient: Bool
    public init(_ message: String, transient: Bool = false) {
        self.message = message
        self.isTransient = transient
    }
    public var description: String { message }
    public var exitStatus: ExitStatus { .internalFailure }
}

/// `--shard I/N`: a stable share of the consumers, by a hash of the consumer's name that does
/// not change between processes or machines (FNV-1a).
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `I/N` with 0 ≤ I < N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0, (0..<count).contains(index) else {
            return nil
        }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    public func contains(_ name: String) -> Bool {
        Int(Shard.hash(name) % UInt64(count)) == index
    }

    /// FNV-1a of the consumer's name: the same on every machine, so shards and rollout waves
    /// agree everywhere.
    public static func hash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}
