import Foundation
import SkeinBasics
import Testing
@testable import Fleet

/// A pool thread still ending after the pool returned raced the process's exit handlers: at the
/// end of `mirror add`, libcrypto's cleanup and a worker's thread-exit destructors freed the same
/// memory ("double free or corruption"). When the pool returns, its threads have ended, their
/// thread-exit destructors included.
struct WorkPoolTests {
    @Test func concurrentMapReturnsOnlyOnceItsThreadsHaveEnded() async {
        let probe = ThreadEndProbe()
        let doubled = await concurrentMap(Array(0..<16), limit: 4) { item in
            probe.enter()
            usleep(2_000)
            return item * 2
        }
        #expect(doubled == (0..<16).map { $0 * 2 })
        #expect(probe.counts.started > 0)
        #expect(probe.counts.ended == probe.counts.started)
    }

    @Test func concurrentForEachReturnsOnlyOnceItsThreadsHaveEnded() async {
        let probe = ThreadEndProbe()
        await concurrentForEach(Array(0..<16), limit: 4) { _ in
            probe.enter()
            usleep(2_000)
        }
        #expect(probe.counts.started > 0)
        #expect(probe.counts.ended == probe.counts.started)
    }
}

/// Counts the threads that called `enter()` and, through a thread-specific value's destructor,
/// the ones that have ended. The destructor is slow, as a thread's end can be: a pool that
/// returns without waiting for its threads returns before they are counted.
private final class ThreadEndProbe: @unchecked Sendable {
    private let state = Locked((started: 0, ended: 0))
    private var key = pthread_key_t()

    init() {
        pthread_key_create(&key) { value in
            guard let value else { return }
            let probe = Unmanaged<ThreadEndProbe>.fromOpaque(value).takeRetainedValue()
            usleep(200_000)
            probe.state.withLock { $0.ended += 1 }
        }
    }

    deinit { pthread_key_delete(key) }

    /// Marks the calling thread, once.
    func enter() {
        guard pthread_getspecific(key) == nil else { return }
        pthread_setspecific(key, Unmanaged.passRetained(self).toOpaque())
        state.withLock { $0.started += 1 }
    }

    var counts: (started: Int, ended: Int) { state.withLock { $0 } }
}
