import Foundation
import SkeinBasics

/// Runs blocking work (libgit2 calls, file I/O, waiting on a sandbox) on up to `limit` threads
/// of its own, so a fleet of slow repos never starves Swift's cooperative thread pool. Results
/// come back in the order of `items`. The work items must not share a libgit2 handle. When it
/// returns, its threads have ended.
public func concurrentMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) -> Result
) async -> [Result] {
    guard !items.isEmpty else { return [] }
    let workers = max(1, min(limit, items.count))
    let state = PoolState<Result>(count: items.count)
    var threads = WorkerThreads()
    let results = await withCheckedContinuation { (continuation: CheckedContinuation<[Result], Never>) in
        state.onFinish = { continuation.resume(returning: $0) }
        threads.start(workers) {
            while let index = state.next() {
                state.store(body(items[index]), at: index)
            }
        }
    }
    threads.join()
    return results
}

private final class PoolState<Result: Sendable>: @unchecked Sendable {
    private let state: Locked<(results: [Result?], next: Int, remaining: Int)>
    /// Set once, before any worker starts.
    var onFinish: (([Result]) -> Void)?

    init(count: Int) {
        state = Locked((results: Array(repeating: nil, count: count), next: 0, remaining: count))
    }

    func next() -> Int? {
        state.withLock { state in
            guard state.next < state.results.count else { return nil }
            state.next += 1
            return state.next - 1
        }
    }

    func store(_ result: Result, at index: Int) {
        let finished = state.withLock { state -> [Result]? in
            state.results[index] = result
            state.remaining -= 1
            return state.remaining == 0 ? state.results.map { $0! } : nil
        }
        if let finished { onFinish?(finished) }
    }
}

/// Runs `body` for every item on up to `limit` threads of its own, like `concurrentMap`, but
/// keeps no results: what a fleet-wide run learns from each item is folded in as it comes, so
/// its memory does not grow with the fleet.
public func concurrentForEach<Item: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) -> Void
) async {
    guard !items.isEmpty else { return }
    let workers = max(1, min(limit, items.count))
    let state = ForEachState(count: items.count, workers: workers)
    var threads = WorkerThreads()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        state.onFinish = { continuation.resume() }
        threads.start(workers) {
            while let index = state.next() { body(items[index]) }
            state.workerDone()
        }
    }
    threads.join()
}

/// The pool's threads, joined before the pool returns, so none of them is still ending (running
/// its thread-exit destructors) when the caller goes on. One still ending when the process
/// exited raced libcrypto's exit handler (loaded with libgit2), which frees the same per-thread
/// state: "double free or corruption", "malloc_consolidate(): invalid chunk size" at the end of
/// `mirror add`. Joining waits only for threads that have run out of work.
private struct WorkerThreads {
    private var threads: [pthread_t] = []

    /// Starts `count` threads running `body`, with 8 MiB stacks. Should no thread start at all,
    /// `body` runs on the caller's thread.
    mutating func start(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 8 << 20)
        for _ in 0..<count {
            let job = Unmanaged.passRetained(Job(body)).toOpaque()
            var thread = pthread_t()
            let started = pthread_create(&thread, &attributes, { job in
                Unmanaged<Job>.fromOpaque(job!).takeRetainedValue().body()
                return nil
            }, job)
            if started == 0 {
                threads.append(thread)
            } else {
                Unmanaged<Job>.fromOpaque(job).release()
            }
        }
        if threads.isEmpty { body() }
    }

    func join() {
        for thread in threads { pthread_join(thread, nil) }
    }

    private final class Job {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}

private final class ForEachState: @unchecked Sendable {
    private let count: Int
    private let state: Locked<(next: Int, running: Int)>
    /// Set once, before any worker starts.
    var onFinish: (() -> Void)?

    init(count: Int, workers: Int) {
        self.count = count
        state = Locked((next: 0, running: workers))
    }

    func next() -> Int? {
        state.withLock { state in
            guard state.next < count else { return nil }
            state.next += 1
            return state.next - 1
        }
    }

    func workerDone() {
        let last = state.withLock { state -> Bool in
            state.running -= 1
            return state.running == 0
        }
        if last { onFinish?() }
    }
}
