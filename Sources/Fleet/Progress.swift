import Foundation
import Ledger
import Sandbox
import SkeinBasics

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

/// SIGINT and SIGTERM during a run: no new consumer or sandboxed step starts; steps already
/// running get `grace` seconds, then every process tree skein started is killed and those
/// consumers are recorded as `error: interrupted` (redone by the next run). A second signal kills
/// them at once and ends skein.
public final class StopSignal: @unchecked Sendable {
    private let received = Locked<Int32?>(nil)
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    public var isStopped: Bool { received.withLock { $0 != nil } }

    /// The first signal received, if any: the run's exit status follows it (130, 143).
    public var receivedSignal: Int32? { received.withLock { $0 } }

    /// Stops the run as a signal would (for callers that stop it themselves).
    public func stop(_ number: Int32 = SIGTERM, grace: Double = 10) {
        let first = received.withLock { received -> Bool in
            defer { if received == nil { received = number } }
            return received == nil
        }
        guard first else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { RunningProcesses.terminateAll() }
    }

    public func install(grace: Double = 10) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if !self.isStopped {
                    let name = number == SIGINT ? "SIGINT" : "SIGTERM"
                    FileHandle.standardError.write(Data(
                        "\nskein: \(name): stopping: no new work; running steps get \(Int(grace)) s, then are killed (signal again to stop at once)\n".utf8))
                    self.stop(number, grace: grace)
                } else {
                    RunningProcesses.terminateAll()
                    signal(number, SIG_DFL)
                    kill(getpid(), number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// A consumer whose work was cut short by a stopped run. Recorded as `error`, marked so that
/// the next run migrates the consumer again rather than taking the line as final.
struct Interrupted: Error, CustomStringConvertible {
    var description: String { "interrupted: the run was stopped before this consumer finished" }
}
