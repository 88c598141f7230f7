import Foundation
import SkeinBasics

/// How a worker process ended and what it answered.
public struct WorkerResult: Sendable {
    /// Exit status; 128+N when killed by signal N.
    public var status: Int32
    public var signal: Int32?
    /// Killed at the wall-clock timeout.
    public var timedOut: Bool
    /// Its standard output (the answer), unless it passed `maximumOutput`.
    public var output: Data
    public var outputExceeded: Bool
    /// The last line it reported with the progress prefix, without the prefix.
    public var lastProgress: String?
    /// The end of what else it wrote to standard error (a runtime's crash message, say).
    public var errorTail: String
    public var duration: Double
}

/// One of skein's own helper processes (a rewrite worker) that reads a request on standard input
/// and answers on standard output, reporting progress as lines on standard error. It runs the
/// same trusted program, so no sandbox; what it guards against is the consumer content it
/// parses: its address space and CPU time are capped (set on the child before it is sent its
/// request, so before it reads a consumer byte), it is killed at `timeout`, and its answer and
/// error output are read with bounded memory.
public struct WorkerProcess: Sendable {
    public var executable: String
    /// argv, program name first.
    public var arguments: [String]
    /// `RLIMIT_AS` of the worker, in bytes; nil leaves it unlimited.
    public var memoryBytes: UInt64?
    /// Seconds before it is killed; also its CPU-time limit, so an orphan cannot spin forever.
    public var timeout: Double
    /// The largest answer read; a larger one is cut and reported as such.
    public var maximumOutput: Int
    /// Lines on standard error starting with this are progress reports.
    public var progressPrefix: String
    /// Set in the worker's environment over skein's own.
    public var environment: [String: String]

    public init(
        executable: String, arguments: [String], memoryBytes: UInt64?, timeout: Double,
        maximumOutput: Int = 512 << 20, progressPrefix: String, environment: [String: String] = [:]
    ) {
        self.environment = environment
        self.executable = executable
        self.arguments = arguments
        self.memoryBytes = memoryBytes
        self.timeout = timeout
        self.maximumOutput = maximumOutput
        self.progressPrefix = progressPrefix
    }

    private static let lineLimit = 4096
    private static let errorTailKept = 4096

    public func run(input: Data) throws(SandboxError) -> WorkerResult {
        let start = Date()
        var stdin: [Int32] = [-1, -1], stdout: [Int32] = [-1, -1], stderr: [Int32] = [-1, -1]
        guard makePipe(&stdin) == 0 else { throw SandboxError(.startFailed, "cannot make a pipe: \(errorText())") }
        guard makePipe(&stdout) == 0 else {
            close(stdin[0]); close(stdin[1])
            throw SandboxError(.startFailed, "cannot make a pipe: \(errorText())")
        }
        guard makePipe(&stderr) == 0 else {
            close(stdin[0]); close(stdin[1]); close(stdout[0]); close(stdout[1])
            throw SandboxError(.startFailed, "cannot make a pipe: \(errorText())")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdout[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderr[1], 2)

        let entries = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let (pid, spawned) = spawnInOwnGroup(executable, arguments, entries, &actions)
        close(stdin[0]); close(stdout[1]); close(stderr[1])
        guard spawned == 0 else {
            close(stdin[1]); close(stdout[0]); close(stderr[0])
            throw SandboxError(.startFailed, "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        // The worker waits for its request, so limits set now bind before any consumer byte is read.
        if let memoryBytes { setLimit(pid, RLIMIT_AS, memoryBytes) }
        setLimit(pid, RLIMIT_CPU, UInt64(max(1, timeout.rounded(.up))) + 1)
        setLimit(pid, RLIMIT_CORE, 0)

        let inputFD = stdin[1]
        Thread.detachNewThread {
            // A worker that died before reading would make this write raise SIGPIPE, which ends
            // skein; blocked on this thread, the signal stays pending here and is dropped with
            // the thread, and the write fails with EPIPE instead.
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let count = write(inputFD, buffer.baseAddress! + offset, buffer.count - offset)
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    offset += count
                }
            }
            close(inputFD)
        }

        let answer = Locked(Data())
        let exceeded = Locked(false)
        let answerRead = DispatchSemaphore(value: 0)
        let outputFD = stdout[0], limit = maximumOutput
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            var collected = Data()
            var over = false
            while true {
                let count = buffer.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                // Past the limit the rest is read and dropped, so the worker is never blocked on a full pipe.
                if !over && collected.count + count <= limit { collected.append(contentsOf: buffer[0..<count]) } else { over = true }
            }
            close(outputFD)
            answer.withLock { $0 = over ? Data() : collected }
            exceeded.withLock { $0 = over }
            answerRead.signal()
        }

        let progress = Locked<String?>(nil)
        let errors = Locked(Data())
        let errorsRead = DispatchSemaphore(value: 0)
        let errorFD = stderr[0], prefix = Array(progressPrefix.utf8)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            var line: [UInt8] = []
            var lineCut = false
            var tail = Data()
            func endLine() {
                if !lineCut, line.starts(with: prefix) {
                    let text = String(decoding: line.dropFirst(prefix.count), as: UTF8.self)
                    progress.withLock { $0 = text }
                } else {
                    tail.append(contentsOf: line.prefix(Self.lineLimit))
                    tail.append(10)
                    if tail.count > 2 * Self.errorTailKept { tail = Data(tail.suffix(Self.errorTailKept)) }
                }
                line.removeAll(keepingCapacity: true)
                lineCut = false
            }
            while true {
                let count = buffer.withUnsafeMutableBytes { read(errorFD, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                for byte in buffer[0..<count] {
                    if byte == 10 { endLine(); continue }
                    if line.count < Self.lineLimit { line.append(byte) } else { lineCut = true }
                }
            }
            if !line.isEmpty { endLine() }
            close(errorFD)
            errors.withLock { $0 = Data(tail.suffix(Self.errorTailKept)) }
            errorsRead.signal()
        }

        // A stopped run ends its workers with its other process trees.
        let tree = RunningProcesses.Tree(processGroup: pid, namespaceInit: { nil }, group: nil)
        let registration = RunningProcesses.register(tree)
        if registration == nil { RunningProcesses.kill(tree) }
        defer { registration.map(RunningProcesses.unregister) }
        let (exited, waitStatus) = waitInBackground(pid)
        var timedOut = false
        if exited.wait(timeout: .now() + max(0, timeout)) == .timedOut {
            timedOut = true
            kill(-pid, SIGKILL)
            exited.wait()
        }
        // Anything the worker started dies with it; its pipes then close.
        kill(-pid, SIGKILL)
        _ = answerRead.wait(timeout: .now() + 10)
        _ = errorsRead.wait(timeout: .now() + 10)

        let status = waitStatus.withLock { $0 }
        var exitStatus: Int32, signal: Int32?
        if status & 0x7f == 0 {
            exitStatus = (status >> 8) & 0xff
        } else {
            signal = status & 0x7f
            exitStatus = 128 + (status & 0x7f)
        }
        return WorkerResult(
            status: exitStatus, signal: signal, timedOut: timedOut, output: answer.withLock { $0 },
            outputExceeded: exceeded.withLock { $0 }, lastProgress: progress.withLock { $0 },
            errorTail: String(decoding: errors.withLock { $0 }, as: UTF8.self),
            duration: Date().timeIntervalSince(start))
    }
}

// `prlimit` is a GNU extension the Glibc module does not import; looked up once.
private let prlimitFunction: (@convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prlimit") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32).self)
}()

private func setLimit(_ pid: pid_t, _ resource: __rlimit_resource, _ value: UInt64) {
    var limit = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
    _ = prlimitFunction?(pid, Int32(resource.rawValue), &limit, nil)
}
