import Foundation
import SkeinBasics

/// Rewrite workers kept between consumers, so a consumer pays for a request rather than for a
/// process start (and the runtime's and the parsers' warm-up). Each request takes an idle worker
/// or starts one; a worker that answered goes back unless it has grown past `retireBytes` or
/// served `retireAfter` requests; one that crashed, stalled or answered too much is gone.
public final class WorkerPool: Sendable {
    public let settings: WorkerProcess.Settings
    /// Resident memory past which a worker is ended after its answer rather than kept.
    public let retireBytes: UInt64
    /// Requests after which a worker is ended rather than kept.
    public let retireAfter: Int
    private let idle = Locked<[WorkerProcess]>([])
    private let started = Locked(0)
    private let busy = Locked<Set<pid_t>>([])

    public init(_ settings: WorkerProcess.Settings, retireBytes: UInt64 = 768 << 20, retireAfter: Int = 1000) {
        self.settings = settings
        self.retireBytes = retireBytes
        self.retireAfter = retireAfter
    }

    deinit { shutdown() }

    /// Workers started so far.
    public var workersStarted: Int { started.withLock { $0 } }

    /// Process ids of the idle workers.
    public var idleProcesses: [pid_t] { idle.withLock { $0.map(\.pid) } }

    /// Process ids of the workers on a request now.
    public var busyProcesses: [pid_t] { busy.withLock { Array($0) } }

    /// Serves one request. A worker that had answered earlier requests and then died before
    /// starting on this one, or was killed by a signal while on it (it may have grown on earlier
    /// consumers' files), is not taken to speak for this request: it is sent once more to a new
    /// worker, whose result stands. Timeouts and exit statuses are the request's own.
    public func serve(_ request: Data) throws(SandboxError) -> WorkerResult {
        let worker = try take()
        let result = serve(request, on: worker)
        if result.answered {
            keep(worker)
            return result
        }
        guard result.served > 0, !result.timedOut, !result.began || result.signal != nil else { return result }
        let fresh = try start()
        let second = serve(request, on: fresh)
        if second.answered { keep(fresh) }
        return second
    }

    private func serve(_ request: Data, on worker: WorkerProcess) -> WorkerResult {
        busy.withLock { _ = $0.insert(worker.pid) }
        defer { busy.withLock { _ = $0.remove(worker.pid) } }
        return worker.serve(request)
    }

    /// Ends every idle worker.
    public func shutdown() {
        let workers = idle.withLock { idle -> [WorkerProcess] in
            defer { idle.removeAll() }
            return idle
        }
        for worker in workers { worker.finish() }
    }

    private func take() throws(SandboxError) -> WorkerProcess {
        while let worker = idle.withLock({ $0.popLast() }) {
            if worker.isAlive { return worker }
        }
        return try start()
    }

    private func start() throws(SandboxError) -> WorkerProcess {
        let worker = try WorkerProcess(settings)
        started.withLock { $0 += 1 }
        return worker
    }

    private func keep(_ worker: WorkerProcess) {
        if worker.served >= retireAfter || worker.residentBytes > retireBytes {
            worker.finish()
        } else {
            idle.withLock { $0.append(worker) }
        }
    }
}
