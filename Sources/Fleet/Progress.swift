import Foundation
import Ledger

/// Progress of a long run. On a terminal: one live line on stderr (done/total, failed, running,
/// ETA) with each finished consumer printed above it. Otherwise: one plain line per consumer.
public final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal: Bool
    private let startTime = Date()
    private var total = 0
    private var done = 0
    private var failed = 0
    private var running = 0
    private let output: (String) -> Void

    public init(terminal: Bool = isatty(STDERR_FILENO) == 1, output: @escaping (String) -> Void = { print($0) }) {
        self.terminal = terminal
        self.output = output
    }

    public func add(_ count: Int) {
        lock.withLock { total += count }
    }

    func started() {
        lock.withLock {
            running += 1
            redraw()
        }
    }

    func finished(_ line: String, failed isFailure: Bool) {
        lock.withLock {
            running -= 1
            done += 1
            if isFailure { failed += 1 }
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            output(line)
            redraw()
        }
    }

    public func end() {
        lock.withLock {
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        }
    }

    private func redraw() {
        guard terminal else { return }
        var line = "[\(done)/\(total)] \(failed) failed, \(running) running"
        if done > 0, done < total {
            let perConsumer = Date().timeIntervalSince(startTime) / Double(done)
            line += ", ETA \(Progress.duration(perConsumer * Double(total - done)))"
        }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
    }
}

/// SIGINT and SIGTERM during a run: stop starting new consumers and let running ones finish, so
/// nothing is left half-written. A second signal ends the process at once.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    public var isStopped: Bool { lock.withLock { stopped } }

    public func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let first = self.lock.withLock { () -> Bool in
                    defer { self.stopped = true }
                    return !self.stopped
                }
                if first {
                    FileHandle.standardError.write(Data("\nskein: stopping: no new consumers; running ones finish (signal again to abort)\n".utf8))
                } else {
                    signal(number, SIG_DFL)
                    kill(getpid(), number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}
