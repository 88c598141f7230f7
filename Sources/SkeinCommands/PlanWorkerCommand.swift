import ArgumentParser
import Fleet
import Foundation
import Rewrite
import Sandbox
import SkeinBasics

/// `skein plan-worker` (hidden): plans consumers for a coordinating `skein run`, one after
/// another. Reads each `PlanJob` as a JSON frame on standard input and answers with the plan as
/// a JSON frame on standard output (`Frame`); it reports the start of each job, and each file
/// before it is parsed, on standard error, so that the coordinator can say which file a crash or
/// a stall happened in. It writes nothing else anywhere, and ends when its input ends.
struct PlanWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: RewriteWorker.subcommand,
        abstract: "Plan consumers for a running skein (internal).",
        shouldDisplay: false)

    /// The largest job read: a job carries a migration and a consumer's compiler index.
    static let jobLimit = 1 << 30

    func run() throws {
        let jobs = FrameReader(descriptor: 0, limit: Self.jobLimit)
        let current = CurrentFile()
        current.watch()
        while true {
            let input: Data
            switch jobs.next() {
            case .end: return
            case .frame(let data): input = data
            case .tooLarge(let count): throw ValidationError("plan job of \(count) bytes is over the \(Self.jobLimit) bytes a worker reads")
            case .malformed: throw ValidationError("cannot read the plan job: not a frame")
            }
            let job: PlanJob
            do {
                job = try PlanJob.decode(input)
            } catch {
                throw ValidationError("cannot read the plan job: \(error)")
            }
            report(WorkerProcess.requestMarker)
            current.begin(budget: job.fileBudget)
            let plan = Self.plan(job) { activity, path in
                current.start(path)
                report(activity + " " + path)
            }
            current.end()
            guard Frame.write(try plan.encoded(), to: 1) else { return }
        }
    }

    /// Plans on a thread with a large stack: the parsers recurse, and their nesting bounds are
    /// set for this much.
    private static func plan(_ job: PlanJob, reporting: @escaping PlanProgress.Reporter) -> RewriteResult {
        nonisolated(unsafe) var plan: RewriteResult?
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            plan = PlanProgress.reporting(to: reporting) { job.plan() }
            done.signal()
        }
        thread.stackSize = 64 << 20
        thread.start()
        done.wait()
        return plan!
    }
}

/// One progress line on standard error, unbuffered: it must be out before the file is touched.
private func report(_ text: String) {
    let line = RewriteWorker.progressPrefix + text.replacingOccurrences(of: "\n", with: "\\n") + "\n"
    FileHandle.standardError.write(Data(line.utf8))
}

/// The file planning is at, and since when; a watchdog ends the worker when one file takes
/// longer than the job's budget, saying which (the coordinator then plans again without it).
private final class CurrentFile: Sendable {
    private let current = Locked((path: String?.none, since: Date(), budget: Double?.none))

    func begin(budget: Double?) {
        current.withLock { $0 = (nil, Date(), budget) }
    }

    func start(_ path: String) {
        current.withLock { $0.path = path; $0.since = Date() }
    }

    func end() {
        current.withLock { $0 = (nil, Date(), nil) }
    }

    func watch() {
        Thread.detachNewThread {
            while true {
                let budget = self.current.withLock { $0.budget }
                Thread.sleep(forTimeInterval: min(0.25, (budget ?? 1) / 4))
                let over = self.current.withLock { current in
                    current.path.flatMap { path in
                        current.budget.flatMap { Date().timeIntervalSince(current.since) > $0 ? path : nil }
                    }
                }
                if let over {
                    report(RewriteWorker.overBudget + " " + over)
                    _exit(RewriteWorker.overBudgetStatus)
                }
            }
        }
    }
}
