import Foundation

/// Starts a program detached from the caller: setsid, no controlling terminal, standard input
/// from /dev/null and output appended to `log`. The caller does not wait; used by the registry
/// hooks' trigger so a commit or push never waits for a migration run.
public enum Detached {
    public static func spawn(_ executable: String, _ arguments: [String], log: String) throws -> pid_t {
        try FileManager.default.createDirectory(
            atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of the caller's stays open in the child: an inherited pipe would keep
        // the hook's caller (git, and whoever reads git's output) waiting for the whole run.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc 2.26+; not imported without _GNU_SOURCE).
        posix_spawnattr_setflags(&attributes, Int16(0x80))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw DetachedError(message: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }
}

public struct DetachedError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
