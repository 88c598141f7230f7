import Foundation
import SkeinBasics

/// Keeps a build cache within its bound on disk: measured every few seconds while a run goes on
/// (the run is stopped the moment it is over), and once more at the end, when a cache over the
/// bound is emptied (it is only a cache: the next run rebuilds what it needs).
final class CacheWatch: @unchecked Sendable {
    private let directory: String
    private let limit: UInt64
    private let state = Locked((stopped: false, exceeded: false))
    private let done = DispatchSemaphore(value: 0)

    /// Starts watching; `stop` is called (once) when the bound is passed during the run.
    init(directory: String, limit: UInt64, interval: Double = 5, stop: @escaping @Sendable () -> Void) {
        self.directory = directory
        self.limit = limit
        Thread.detachNewThread { [self] in
            while done.wait(timeout: .now() + interval) == .timedOut {
                if Self.size(of: directory) > limit {
                    state.withLock { $0.exceeded = true }
                    stop()
                    break
                }
            }
        }
    }

    /// Ends the watch (idempotent).
    func stop() {
        state.withLock {
            if !$0.stopped {
                $0.stopped = true
                done.signal()
            }
        }
    }

    /// Ends the watch and says whether the bound was passed; a cache over it is emptied.
    func finish() -> Bool {
        stop()
        let over = state.withLock { $0.exceeded } || Self.size(of: directory) > limit
        if over, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for name in names { try? FileManager.default.removeItem(atPath: directory + "/" + name) }
        }
        return over
    }

    /// Bytes on disk below `directory` (allocated blocks), links not followed.
    static func size(of directory: String) -> UInt64 {
        var total: UInt64 = 0
        var pending = [directory]
        while let path = pending.popLast() {
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            total += UInt64(max(0, status.st_blocks)) * 512
            guard (status.st_mode & S_IFMT) == S_IFDIR, let handle = opendir(path) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { pending.append(path + "/" + name) }
            }
        }
        return total
    }
}
