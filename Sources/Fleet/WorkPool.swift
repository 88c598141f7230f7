import Foundation

/// Runs blocking work (libgit2 calls, file I/O, waiting on a sandbox) on up to `limit` threads
/// of its own, so a fleet of slow repos never starves Swift's cooperative thread pool. Results
/// come back in the order of `items`. The work items must not share a libgit2 handle.
public func concurrentMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) -> Result
) async -> [Result] {
    guard !items.isEmpty else { return [] }
    let workers = max(1, min(limit, items.count))
    let state = PoolState<Result>(count: items.count)
    return await withCheckedContinuation { (continuation: CheckedContinuation<[Result], Never>) in
        state.onFinish = { continuation.resume(returning: $0) }
        for _ in 0..<workers {
            let thread = Thread {
                while let index = state.next() {
                    state.store(body(items[index]), at: index)
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

private final class PoolState<Result: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result?]
    private var nextIndex = 0
    private var remaining: Int
    var onFinish: (([Result]) -> Void)?

    init(count: Int) {
        results = Array(repeating: nil, count: count)
        remaining = count
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < results.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func store(_ result: Result, at index: Int) {
        lock.lock()
        results[index] = result
        remaining -= 1
        let done = remaining == 0
        let finish = onFinish
        lock.unlock()
        if done { finish?(results.map { $0! }) }
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
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        state.onFinish = { continuation.resume() }
        for _ in 0..<workers {
            let thread = Thread {
                while let index = state.next() { body(items[index]) }
                state.workerDone()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

private final class ForEachState: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var nextIndex = 0
    private var running: Int
    var onFinish: (() -> Void)?

    init(count: Int, workers: Int) {
        self.count = count
        running = workers
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func workerDone() {
        lock.lock()
        running -= 1
        let finish = running == 0 ? onFinish : nil
        lock.unlock()
        finish?()
    }
}
