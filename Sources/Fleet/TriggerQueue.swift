import Foundation

/// The queue of registry ranges waiting for a run, in `<git-dir>/skein/`: `queue` holds one
/// `OLD NEW` line per trigger, `queue.lock` guards it, `run.lock` is held by the one worker that
/// drains it. An item leaves the queue only after its run ended, so a crash loses nothing; the
/// next trigger's worker picks it up again.
public struct TriggerQueue: Sendable {
    public let directory: String
    public init(gitDirectory: String) {
        directory = (gitDirectory as NSString).appendingPathComponent("skein")
    }

    var queueFile: String { directory + "/queue" }
    public var logDirectory: String { directory + "/logs" }

    /// Appends a range to the queue.
    public func enqueue(old: String, new: String) throws {
        try withQueueLock {
            let handle = try openForAppend(queueFile)
            defer { try? handle.close() }
            try handle.write(contentsOf: Data("\(old) \(new)\n".utf8))
        }
    }

    /// The ranges waiting, oldest first.
    public func pending() throws -> [(old: String, new: String)] {
        try withQueueLock { try readQueue() }
    }

    /// Drains the queue if no other worker does: runs `body` for each range in order, removing
    /// it afterwards. Returns false at once when another worker holds the run lock (it will see
    /// anything queued before it stops).
    public func drain(_ body: (String, String) async -> Void) async throws -> Bool {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let runLock = open(directory + "/run.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard runLock >= 0 else { throw FleetError("cannot open \(directory)/run.lock") }
        guard flock(runLock, LOCK_EX | LOCK_NB) == 0 else {
            close(runLock)
            return false
        }
        while true {
            // Checking for more work and giving up the run lock happen under the queue lock, so
            // a trigger that enqueues meanwhile either is seen here or finds the run lock free.
            let next: (old: String, new: String)? = try withQueueLock {
                if let first = try readQueue().first { return first }
                flock(runLock, LOCK_UN)
                close(runLock)
                return nil
            }
            guard let next else { return true }
            await body(next.old, next.new)
            try withQueueLock {
                var items = try readQueue()
                if let index = items.firstIndex(where: { $0 == next }) { items.remove(at: index) }
                let text = items.map { "\($0.old) \($0.new)\n" }.joined()
                try text.write(toFile: queueFile + ".tmp", atomically: false, encoding: .utf8)
                guard rename(queueFile + ".tmp", queueFile) == 0 else { throw FleetError("cannot rewrite \(queueFile)") }
            }
        }
    }

    private func readQueue() throws -> [(old: String, new: String)] {
        guard let text = try? String(contentsOfFile: queueFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }

    private func withQueueLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try MirrorLock(path: directory + "/queue.lock")
        defer { lock.release() }
        return try body()
    }

    private func openForAppend(_ path: String) throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        return handle
    }
}
