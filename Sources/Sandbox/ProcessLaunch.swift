import Foundation
import SkeinBasics

/// Where a run's output goes: a file capped at `limit` bytes, keeping the head and the last
/// `tailBytes` (where test summaries are) when the output is longer.
struct LogSink: Sendable {
    var path: String
    var limit: Int
    var tailBytes: Int
}

/// What a finished process left: its status, whether it was killed at the timeout, and the end
/// of its output.
struct LaunchResult: Sendable {
    var status: Int32
    var signal: Int32?
    var timedOut: Bool
    var duration: Double
    var tail: String
    var outputBytes: Int
    var logTruncated: Bool
}

/// One spawned process tree: the only place skein starts processes. `posix_spawn` in its own
/// process group, stdin from `/dev/null`, stdout and stderr into one pipe drained by a thread.
struct ProcessLaunch: Sendable {
    var executable: String
    /// argv, program name first.
    var arguments: [String]
    /// `KEY=value` entries; the whole environment of the child.
    var environment: [String]
    var directory: String
    /// Pass a pipe as fd 3 and read bubblewrap's `--info-fd` report (the PID namespace's init).
    var readsSandboxInfo = false
    var group: ResourceGroup?

    static let infoFD: Int32 = 3
    private static let tailKept = 64 << 10

    /// Runs to the end or the timeout. Output goes to `log` and, line by line, to `lines`.
    func run(timeout: Double, log: LogSink?, lines: OutputLines? = nil) throws(SandboxError) -> LaunchResult {
        let start = Date()
        var output: [Int32] = [-1, -1]
        var info: [Int32] = [-1, -1]
        guard makePipe(&output) == 0 else { throw SandboxError(.startFailed, "cannot make a pipe: \(errorText())") }
        if readsSandboxInfo, makePipe(&info) != 0 {
            close(output[0]); close(output[1])
            throw SandboxError(.startFailed, "cannot make a pipe: \(errorText())")
        }
        let writer: LogWriter
        do {
            writer = try LogWriter(sink: log, tailKept: Self.tailKept, lines: lines)
        } catch {
            close(output[0]); close(output[1])
            if readsSandboxInfo { close(info[0]); close(info[1]) }
            throw error
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, output[1], 2)
        if readsSandboxInfo { posix_spawn_file_actions_adddup2(&actions, info[1], Self.infoFD) }
        _ = addChdir?(&actions, directory)

        let (pid, spawned) = spawnInOwnGroup(executable, arguments, environment, &actions)
        close(output[1])
        if readsSandboxInfo { close(info[1]) }
        guard spawned == 0 else {
            close(output[0])
            if readsSandboxInfo { close(info[0]) }
            throw SandboxError(.startFailed, "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }

        let drained = DispatchSemaphore(value: 0)
        let readFD = output[0]
        Thread.detachNewThread {
            readToEnd(readFD) { writer.append($0) }
            close(readFD)
            drained.signal()
        }
        let namespaceInit = Locked<pid_t?>(nil)
        if readsSandboxInfo {
            let infoRead = info[0]
            Thread.detachNewThread {
                var text = [UInt8]()
                readToEnd(infoRead, chunk: 4096) { bytes in
                    text += bytes
                    if let child = Self.childPID(in: text) { namespaceInit.withLock { $0 = child } }
                }
                close(infoRead)
            }
        }
        // Registered before anything waits, so a stopped run can end this tree at any point;
        // a run already stopped gets its tree killed at once.
        let tree = RunningProcesses.Tree(
            processGroup: pid, namespaceInit: { namespaceInit.withLock { $0 } }, group: group)
        let registration = RunningProcesses.register(tree)
        if registration == nil { RunningProcesses.kill(tree) }
        defer { registration.map(RunningProcesses.unregister) }
        let (exited, waitStatus) = waitInBackground(pid)

        var timedOut = false
        if exited.wait(timeout: .now() + max(0, timeout)) == .timedOut {
            timedOut = true
            // Killing the PID namespace's init takes every process in it down with it; the
            // process group and the cgroup catch the launcher and anything outside the namespace.
            if let child = namespaceInit.withLock({ $0 }) { kill(child, SIGKILL) }
            kill(-pid, SIGKILL)
            group?.killAll()
            exited.wait()
        }
        // What outlived the main process (background jobs) goes now; in a PID namespace it
        // died with the namespace's init already.
        group?.killAll()
        kill(-pid, SIGKILL)
        if drained.wait(timeout: .now() + 10) == .timedOut {
            writer.note("[skein: output still open 10 s after the command ended; stopped reading]\n")
        }
        let status = waitStatus.withLock { $0 }
        let summary = writer.finish()
        let exitStatus: Int32
        var signal: Int32?
        if status & 0x7f == 0 {
            exitStatus = (status >> 8) & 0xff
        } else {
            signal = status & 0x7f
            exitStatus = 128 + (status & 0x7f)
        }
        return LaunchResult(
            status: exitStatus, signal: signal, timedOut: timedOut, duration: Date().timeIntervalSince(start),
            tail: summary.tail, outputBytes: summary.total, logTruncated: summary.truncated)
    }

    static func childPID(in bytes: [UInt8]) -> pid_t? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let range = text.range(of: "\"child-pid\"") else { return nil }
        let digits = text[range.upperBound...].drop { !$0.isNumber }.prefix { $0.isNumber }
        return pid_t(digits)
    }
}

func errorText() -> String { String(cString: strerror(errno)) }

/// Reads `descriptor` until its end (or an error), handing each chunk read to `body`.
func readToEnd(_ descriptor: Int32, chunk: Int = 64 << 10, _ body: (UnsafeRawBufferPointer) -> Void) {
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { return }
        buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}

// `pipe2` and `posix_spawn_file_actions_addchdir_np` are GNU extensions the Glibc module does
// not import; they are looked up once. A pipe made without O_CLOEXEC could leak its write end
// into a process spawned meanwhile by another thread and keep the reader from seeing the end.
private let pipe2Function: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
}()

private let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
}()

/// Starts `executable` (argv `arguments`, environment `KEY=value` entries) with `actions`, in a
/// process group of its own (so its tree can be killed as one), with default signal handling
/// and an empty signal mask whatever skein's own are. Returns the pid and posix_spawn's result.
func spawnInOwnGroup(
    _ executable: String, _ arguments: [String], _ environment: [String], _ actions: inout posix_spawn_file_actions_t
) -> (pid: pid_t, result: Int32) {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t(), mask = sigset_t()
    sigfillset(&defaults)
    sigemptyset(&mask)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &mask)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup($0) } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    return (pid, result)
}

/// Waits for `pid` on a thread of its own: `exited` is signalled once `status` holds its wait
/// status, so the caller can wait with a timeout.
func waitInBackground(_ pid: pid_t) -> (exited: DispatchSemaphore, status: Locked<Int32>) {
    let exited = DispatchSemaphore(value: 0)
    let status = Locked<Int32>(0)
    Thread.detachNewThread {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        status.withLock { $0 = raw }
        exited.signal()
    }
    return (exited, status)
}

func makePipe(_ fds: inout [Int32]) -> Int32 {
    if let pipe2Function { return pipe2Function(&fds, O_CLOEXEC) }
    guard pipe(&fds) == 0 else { return -1 }
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    return 0
}
