import ArgumentParser
import Fleet
import Foundation
import SkeinBasics
import Rewrite

/// `skein plan-worker` (hidden): plans one consumer for a coordinating `skein run`. Reads a
/// `PlanJob` as JSON on standard input, writes the plan as JSON on standard output, and reports
/// each file before it is parsed on standard error, so that the coordinator can say which file
/// a crash or a stall happened in. It writes nothing else anywhere.
struct PlanWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: RewriteWorker.subcommand,
        abstract: "Plan one consumer for a running skein (internal).",
        shouldDisplay: false)

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let job: PlanJob
        do {
            job = try PlanJob.decode(input)
        } catch {
            throw ValidationError("cannot read the plan job: \(error)")
        }
        let current = CurrentFile()
        if let budget = job.fileBudget { current.watch(budget: budget) }
        // Planning runs on a thread with a large stack: the parsers recurse, and their nesting
        // bounds are set for this much.
        nonisolated(unsafe) var plan: RewriteResult?
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            plan = PlanProgress.reporting(to: { activity, path in
                current.start(path)
                report(activity + " " + path)
            }) {
                job.plan()
            }
            done.signal()
        }
        thread.stackSize = 64 << 20
        thread.start()
        done.wait()
        FileHandle.standardOutput.write(try plan!.encoded())
    }
}

/// One progress line on standard error, unbuffered: it must be out before the file is touched.
private func report(_ text: String) {
    let line = RewriteWorker.progressPrefix + text.replacingOccurrences(of: "\n", with: "\\n") + "\n"
    FileHandle.standardError.write(Data(line.utf8))
}

/// The file planning is at, and since when; a watchdog ends the worker when one file takes
/// longer than its budget, saying which (the coordinator then plans again without it).
private final class CurrentFile: Sendable {
    private let current = Locked((path: String?.none, since: Date()))

    func start(_ path: String) {
        current.withLock { $0 = (path, Date()) }
    }

    func watch(budget: Double) {
        Thread.detachNewThread {
            while true {
                Thread.sleep(forTimeInterval: min(0.25, budget / 4))
                let over = self.current.withLock { current in
                    current.path.flatMap { Date().timeIntervalSince(current.since) > budget ? $0 : nil }
                }
                if let over {
                    report(RewriteWorker.overBudget + " " + over)
                    _exit(RewriteWorker.overBudgetStatus)
                }
            }
        }
    }
}
