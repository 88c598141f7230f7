import Foundation
import Ledger
import Sandbox
import SkeinBasics

/// Progress of a long run. Each consumer's line is printed when it ends, on stdout (which
/// `skein` line-buffers, so a pipe or a log file receives it then, not at exit). On a terminal a
/// live line on stderr below them shows done/total, the elapsed time, an ETA ("estimating" until
/// a first consumer ends), failures and needs-human apart, and which consumers are in which
/// phase; it is redrawn every second and cut to the terminal's width.
public final class Progress: @unchecked Sendable {
    /// What the live line shows; the timer is in here too, so `end` and a redraw never race.
    private struct Counts {
        var total = 0
        var done = 0
        var failed = 0
        var needsHuman = 0
        /// Running consumers and their phase, in the order they started.
        var running: [(repo: String, phase: String)] = []
        var timer: DispatchSourceTimer?
    }

    private let counts = Locked(Counts())
    private let terminal: Bool
    private let startTime = Date()
    private let output: (String) -> Void

    public init(terminal: Bool = isatty(STDERR_FILENO) == 1, output: @escaping (String) -> Void = { print($0) }) {
        self.terminal = terminal
        self.output = output
        if terminal {
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + 1, repeating: 1)
            timer.setEventHandler { [weak self] in
                guard let self else { return }
                self.counts.withLock { self.redraw($0) }
            }
            counts.withLock { $0.timer = timer }
            timer.resume()
        }
    }

    deinit { counts.withLock { $0.timer?.cancel() } }

    public func add(_ count: Int) {
        counts.withLock { $0.total += count }
    }

    func started(_ repo: String) {
        counts.withLock {
            $0.running.append((repo, "starting"))
            redraw($0)
        }
    }

    /// `repo` entered a phase (`testing at the base`, `rewriting`, `testing`, `committing`).
    func phase(_ repo: String, _ name: String) {
        counts.withLock { counts in
            guard let index = counts.running.firstIndex(where: { $0.repo == repo }) else { return }
            counts.running[index].phase = name
            redraw(counts)
        }
    }

    func finished(_ line: String, repo: String, status: MigrationStatus?) {
        counts.withLock { counts in
            counts.running.removeAll { $0.repo == repo }
            counts.done += 1
            switch status {
            case .testsFailed?, .error?: counts.failed += 1
            case .needsHuman?: counts.needsHuman += 1
            default: break
            }
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            // `line` escaped its consumer-provided parts; its own line breaks stay.
            output(line)
            redraw(counts)
        }
    }

    public func end() {
        counts.withLock {
            $0.timer?.cancel()
            $0.timer = nil
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        }
    }

    private func redraw(_ counts: Counts) {
        guard terminal, counts.timer != nil else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(Progress.cut(statusLine(counts), to: Progress.terminalWidth()))".utf8))
    }

    /// `[3/7] 42s elapsed, ETA 1m20s · 1 failed, 1 needs a look · testing: a, b; rewriting: c`
    func statusLine(now: Date = Date()) -> String {
        counts.withLock { statusLine($0, now: now) }
    }

    private func statusLine(_ counts: Counts, now: Date = Date()) -> String {
        let elapsed = now.timeIntervalSince(startTime)
        let (done, total, failed, needsHuman) = (counts.done, counts.total, counts.failed, counts.needsHuman)
        var line = "[\(done)/\(total)] \(Progress.duration(elapsed)) elapsed"
        if done == 0 {
            line += ", ETA estimating"
        } else if done < total {
            line += ", ETA \(Progress.duration(elapsed / Double(done) * Double(total - done)))"
        }
        line += " · \(failed) failed, \(needsHuman) need\(needsHuman == 1 ? "s" : "") a look"
        var phases: [String] = []
        var members: [String: [String]] = [:]
        for (repo, phase) in counts.running {
            if members[phase] == nil { phases.append(phase) }
            members[phase, default: []].append(repo.terminalSafe)
        }
        if !phases.isEmpty {
            line += " · " + phases.map { "\($0): \(members[$0]!.joined(separator: ", "))" }.joined(separator: "; ")
        }
        return line
    }

    static func cut(_ line: String, to width: Int) -> String {
        line.count <= width ? line : String(line.prefix(max(1, width - 1))) + "…"
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
    }
}

extension FleetRun {
    /// One consumer's line: its status, a few words on why, its branch, and marks.
    static func line(for outcome: ConsumerOutcome, migration: Migration) -> String {
        let repo = outcome.repo.terminalSafe
        guard let entry = outcome.entry else { return "\(repo): \((outcome.note ?? "skipped").terminalSafe)" }
        if outcome.diff != nil {
            let files = entry.files ?? []
            let verdict = files.isEmpty
                ? (entry.status == .needsHuman ? "needs a human, nothing to rewrite" : "nothing to change")
                : "would change \(files.count) file\(files.count == 1 ? "" : "s")" + (entry.status == .needsHuman ? ", then needs a human" : "")
            let attention = (entry.attention ?? []).map { "\n    ! \($0.terminalSafe)" }.joined()
            return "\(repo): dry run: \(verdict)\(attention)"
        }
        var text = "\(repo): \(entry.status.rawValue): \(OutcomeWords.why(entry).terminalSafe)"
        if let commit = entry.commit { text += " · \(MigrationBranch(migration.id)) \(commit.prefix(10))" }
        if outcome.reused { text += " (already recorded for this base)" }
        if entry.undeclared { text += " [undeclared consumer]" }
        if let note = outcome.note, !outcome.reused { text += " (\(note.terminalSafe))" }
        return text
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
