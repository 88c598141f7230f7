import Foundation
import SkeinBasics

/// How one request to a worker ended and what it answered.
public struct WorkerResult: Sendable {
    /// Exit status; 128+N when killed by signal N; 0 while the worker lives on.
    public var status: Int32
    public var signal: Int32?
    /// Killed at the wall-clock timeout.
    public var timedOut: Bool
    /// The answer, unless it passed `maximumOutput`.
    public var output: Data
    public var outputExceeded: Bool
    /// The last line it reported with the progress prefix for this request, without the prefix.
    public var lastProgress: String?
    /// The end of what else it wrote to standard error (a runtime's crash message, say).
    public var errorTail: String
    public var duration: Double
    /// Requests the same process had answered before this one.
    public var served: Int
    /// The worker said it started on this request (false when it was gone before reading it).
    public var began: Bool

    /// The worker answered and lives on.
    public var answered: Bool { status == 0 && signal == nil && !timedOut && !outputExceeded }
}

/// One of skein's own helper processes (a rewrite worker), kept for many requests: each request
/// is a frame on its standard input, each answer a frame on its standard output (`Frame`), and
/// it reports progress as lines on standard error. It runs the same trusted program, so no
/// sandbox; what it guards against is the consumer content it parses: its address space is
/// capped before it is sent its first request, its CPU time is bounded afresh for every
/// request, it is killed at `timeout`, and its answers and error output are read with bounded
/// memory. A worker that crashed, stalled or answered too much is gone; the next request gets a
/// new one (`WorkerPool`).
public final class WorkerProcess: Sendable {
    public struct Settings: Sendable {
        public var executable: String
        /// argv, program name first.
        public var arguments: [String]
        /// `RLIMIT_AS` of the worker, in bytes; nil leaves it unlimited.
        public var memoryBytes: UInt64?
        /// Seconds a request may take before the worker is killed; also the CPU time it may
        /// spend on one request, so an orphan cannot spin forever.
        public var timeout: Double
        /// The largest answer read; a larger one is dropped and reported as such.
        public var maximumOutput: Int
        /// Lines on standard error starting with this are progress reports; the line
        /// `progressPrefix + requestMarker` starts a request.
        public var progressPrefix: String
        /// Set in the worker's environment over skein's own.
        public var environment: [String: String]

        public init(
            executable: String, arguments: [String], memoryBytes: UInt64?, timeout: Double,
            maximumOutput: Int = 512 << 20, progressPrefix: String, environment: [String: String] = [:]
        ) {
            self.executable = executable
            self.arguments = arguments
            self.memoryBytes = memoryBytes
            self.timeout = timeout
            self.maximumOutput = maximumOutput
            self.progressPrefix = progressPrefix
            self.environment = environment
        }
    }

    /// What a worker reports on standard error when it starts on a request.
    public static let requestMarker = "request"

    public let settings: Settings
    public let pid: pid_t
    private let input: Int32
    private let answers: AnswerQueue
    private let errors: ErrorLines
    private let exited: DispatchSemaphore
    private let waitStatus: Locked<Int32>
    private let registration: Int?
    private let state = Locked(State())
    /// The request being written: the input is closed only once no write is under way, so a
    /// write never lands on a descriptor number reused meanwhile.
    private let writing = DispatchGroup()

    private struct State {
        var served = 0
        var alive = true
        /// Set by the first caller that ends the worker; `ended` once it is reaped.
        var ending = false
        var ended: (status: Int32, signal: Int32?)?
    }

    /// Starts a worker; it waits for its first request.
    public init(_ settings: Settings) throws(SandboxError) {
        self.settings = settings
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
        let entries = ProcessInfo.processInfo.environment.merging(settings.environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let (pid, spawned) = spawnInOwnGroup(settings.executable, settings.arguments, entries, &actions)
        close(stdin[0]); close(stdout[1]); close(stderr[1])
        guard spawned == 0 else {
            close(stdin[1]); close(stdout[0]); close(stderr[0])
            throw SandboxError(.startFailed, "cannot start \(settings.executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        // The worker waits for its first request, so this binds before any consumer byte is read.
        if let memoryBytes = settings.memoryBytes { setLimit(pid, RLIMIT_AS, soft: memoryBytes, hard: memoryBytes) }
        setLimit(pid, RLIMIT_CORE, soft: 0, hard: 0)
        input = stdin[1]
        answers = AnswerQueue(descriptor: stdout[0], limit: settings.maximumOutput)
        errors = ErrorLines(descriptor: stderr[0], prefix: settings.progressPrefix)
        (exited, waitStatus) = waitInBackground(pid)
        // A stopped run ends its workers with its other process trees.
        let tree = RunningProcesses.Tree(processGroup: pid, namespaceInit: { nil }, group: nil)
        registration = RunningProcesses.register(tree)
        if registration == nil { RunningProcesses.kill(tree) }
    }

    deinit { finish() }

    /// Whether the worker can take another request.
    public var isAlive: Bool { state.withLock { $0.alive } }

    /// Requests answered so far.
    public var served: Int { state.withLock { $0.served } }

    /// The worker's resident memory now, in bytes (0 once it is gone).
    public var residentBytes: UInt64 {
        guard let text = FileRead.text("/proc/\(pid)/statm"),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) }) else { return 0 }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Sends one request and waits for its answer, the worker's end, or the timeout. After
    /// anything but an answer the worker is gone.
    public func serve(_ request: Data) -> WorkerResult {
        let start = Date()
        let served = state.withLock { $0.served }
        guard isAlive else { return ended(start, served: served, timedOut: false) }
        // CPU time is counted over the worker's life: the bound is what it used so far plus
        // what one request may take.
        let used = cpuSeconds(pid)
        setLimit(pid, RLIMIT_CPU, soft: used + UInt64(max(1, settings.timeout.rounded(.up))) + 1, hard: nil)

        let inputFD = input, writing = writing
        writing.enter()
        Thread.detachNewThread {
            defer { writing.leave() }
            // A worker that died would make this write raise SIGPIPE, which ends skein; blocked
            // on this thread, the signal stays pending here and is dropped with the thread, and
            // the write fails with EPIPE instead.
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            _ = Frame.write(request, to: inputFD)
        }
        switch answers.next(timeout: settings.timeout) {
        case .frame(let answer)?:
            state.withLock { $0.served += 1 }
            return WorkerResult(
                status: 0, signal: nil, timedOut: false, output: answer, outputExceeded: false, lastProgress: nil,
                errorTail: "", duration: Date().timeIntervalSince(start), served: served, began: true)
        case .tooLarge?:
            kill(-pid, SIGKILL)
            var result = ended(start, served: served, timedOut: false)
            result.outputExceeded = true
            return result
        case .end?, .malformed?:
            return ended(start, served: served, timedOut: false)
        case nil:
            kill(-pid, SIGKILL)
            return ended(start, served: served, timedOut: true)
        }
    }

    /// Closes the worker's input, so it ends once idle, and kills what is left.
    public func finish() {
        state.withLock { $0.alive = false }
        _ = end(grace: 2)
    }

    /// The result of a request the worker did not answer: how it ended, and what it said.
    private func ended(_ start: Date, served: Int, timedOut: Bool) -> WorkerResult {
        state.withLock { $0.alive = false }
        let ending = end(grace: 10)
        let said = errors.finish()
        return WorkerResult(
            status: ending.status, signal: ending.signal, timedOut: timedOut, output: Data(), outputExceeded: false,
            lastProgress: said.progress, errorTail: said.tail, duration: Date().timeIntervalSince(start), served: served,
            began: said.requests > served)
    }

    /// Ends the worker once: its input closed, `grace` seconds for it to exit, then it and
    /// anything it started killed. Returns how it ended (the same on every later call).
    private func end(grace: Double) -> (status: Int32, signal: Int32?) {
        let first = state.withLock { state -> Bool in
            defer { state.ending = true }
            return !state.ending
        }
        guard first else {
            // Another caller is ending it: its wait status comes once it is reaped.
            while true {
                if let ended = state.withLock({ $0.ended }) { return ended }
                usleep(10_000)
            }
        }
        // An idle worker ends at the end of its input; one that is being written to is killed.
        let idle = writing.wait(timeout: .now()) == .success
        if idle { close(input) }
        if exited.wait(timeout: .now() + (idle ? grace : 0)) == .timedOut {
            kill(-pid, SIGKILL)
            exited.wait()
        }
        // Anything the worker started dies with it; its pipes then close, and a write under way fails.
        kill(-pid, SIGKILL)
        if !idle {
            writing.wait()
            close(input)
        }
        registration.map(RunningProcesses.unregister)
        let raw = waitStatus.withLock { $0 }
        let ended: (status: Int32, signal: Int32?) = raw & 0x7f == 0
            ? ((raw >> 8) & 0xff, nil) : (128 + (raw & 0x7f), raw & 0x7f)
        state.withLock { $0.ended = ended }
        return ended
    }
}

/// Answers from a worker's standard output, read on a thread of their own so a request can wait
/// with a timeout.
private final class AnswerQueue: Sendable {
    private let items = Locked<[FrameReader.Item]>([])
    private let ready = DispatchSemaphore(value: 0)

    init(descriptor: Int32, limit: Int) {
        Thread.detachNewThread { [items, ready] in
            let reader = FrameReader(descriptor: descriptor, limit: limit)
            while true {
                let item = reader.next()
                items.withLock { $0.append(item) }
                ready.signal()
                if case .frame = item { continue }
                if case .tooLarge = item { continue }
                break
            }
            close(descriptor)
        }
    }

    /// The next answer, or nil at the timeout.
    func next(timeout: Double) -> FrameReader.Item? {
        guard ready.wait(timeout: .now() + max(0, timeout)) == .success else { return nil }
        return items.withLock { $0.removeFirst() }
    }
}

/// A worker's standard error, read as it comes: the last progress line since the current
/// request started, and the end of everything else.
private final class ErrorLines: Sendable {
    private let said = Locked((progress: String?.none, tail: Data(), requests: 0))
    private let done = DispatchSemaphore(value: 0)
    private static let tailKept = 4096

    init(descriptor: Int32, prefix: String) {
        let marker = prefix + WorkerProcess.requestMarker
        let lines = OutputLines(wants: { _ in true }, line: { [said] line in
            said.withLock { said in
                if line == marker {
                    said = (nil, Data(), said.requests + 1)
                } else if line.hasPrefix(prefix) {
                    said.progress = String(line.dropFirst(prefix.count))
                } else {
                    said.tail.append(contentsOf: line.utf8)
                    said.tail.append(10)
                    if said.tail.count > 2 * Self.tailKept { said.tail = Data(said.tail.suffix(Self.tailKept)) }
                }
            }
        })
        Thread.detachNewThread { [done] in
            readToEnd(descriptor) { lines.feed($0) }
            lines.finish()
            close(descriptor)
            done.signal()
        }
    }

    /// What the worker said about its last request, once its standard error has ended (or
    /// after 10 s, when something it started still holds it open).
    func finish() -> (progress: String?, tail: String, requests: Int) {
        if done.wait(timeout: .now() + 10) == .success { done.signal() }
        return said.withLock { ($0.progress, String(decoding: $0.tail.suffix(Self.tailKept), as: UTF8.self), $0.requests) }
    }
}

/// User and system CPU seconds a process has used, rounded up.
private func cpuSeconds(_ pid: pid_t) -> UInt64 {
    guard let stat = FileRead.text("/proc/\(pid)/stat"),
          let close = stat.range(of: ")", options: .backwards) else { return 0 }
    let fields = stat[close.upperBound...].split(separator: " ")
    guard fields.count > 13, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return 0 }
    let ticks = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
    return (user + system + ticks - 1) / ticks
}

// `prlimit` is a GNU extension the Glibc module does not import; looked up once.
private let prlimitFunction: (@convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prlimit") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32).self)
}()

/// Sets a limit of another process; a nil `hard` keeps its hard limit (a soft limit may be
/// raised again without privilege, up to the hard one).
private func setLimit(_ pid: pid_t, _ resource: __rlimit_resource, soft: UInt64, hard: UInt64?) {
    guard let prlimitFunction else { return }
    var current = rlimit()
    if hard == nil, prlimitFunction(pid, Int32(resource.rawValue), nil, &current) != 0 { return }
    let ceiling = hard.map { rlim_t($0) } ?? current.rlim_max
    var limit = rlimit(rlim_cur: min(rlim_t(soft), ceiling), rlim_max: ceiling)
    _ = prlimitFunction(pid, Int32(resource.rawValue), &limit, nil)
}
