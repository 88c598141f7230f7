import Foundation
import SkeinBasics

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
