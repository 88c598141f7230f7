import Foundation
import Rewrite
import Sandbox
import SkeinBasics

/// Plans consumers in child processes (`skein plan-worker`), so that consumer content that
/// crashes, stalls or swells the parsers ends that consumer as `error` and the run goes on. A
/// worker only reads the worktree and answers with the plan; every write (files, branch, ledger)
/// stays with the coordinator, so a worker's death never leaves anything half-written. Workers
/// serve one consumer after another (`pool`) and are replaced when one dies.
public enum RewriteWorker {
    /// The hidden subcommand that serves a plan job.
    public static let subcommand = "plan-worker"
    /// Prefix of the worker's progress lines on standard error.
    public static let progressPrefix = "skein-worker: "
    /// Address space a worker may use. Generous for honest consumers (every file is at most
    /// 4 MiB; syntax trees of a large repo take some hundreds of MB), far below what an alias
    /// bomb or a runaway parser takes.
    public static let memoryBytes: UInt64 = 2 << 30
    /// Wall-clock seconds (and CPU seconds) a worker may take for one consumer.
    public static let timeout: Double = 600
    /// Seconds one file may take; a file that takes longer is given up and reported, and the
    /// consumer is planned again without it.
    public static let fileBudget: Double = 60
    /// How many files of one consumer may be given up that way before the consumer is an error.
    static let maximumFilesGivenUp = 3
    /// The progress word and exit status of a worker that gave up a file over its budget.
    public static let overBudget = "over-budget"
    public static let overBudgetStatus: Int32 = 75

    /// The skein executable that serves plan jobs: this process when it is skein, else a
    /// `skein` beside this program (a test runner or `skein-bench` in the build folder); nil when
    /// there is none, and planning then happens in this process.
    public static let executable: String? = {
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let url = URL(fileURLWithPath: own)
        if url.lastPathComponent == "skein" { return own }
        let sibling = url.deletingLastPathComponent().appendingPathComponent("skein").path
        return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : nil
    }()

    /// The workers this process keeps between consumers.
    public static let pool: WorkerPool? = newPool()

    /// A pool of rewrite workers; nil when there is no skein executable to start.
    public static func newPool() -> WorkerPool? {
        executable.map { executable in
            WorkerPool(WorkerProcess.Settings(
                executable: executable, arguments: [executable, subcommand], memoryBytes: memoryBytes, timeout: timeout,
                progressPrefix: progressPrefix,
                // Swift's crash backtracer would hold a crashed worker for seconds while it
                // symbolicates; the coordinator only needs to know that it died, and where.
                environment: ["SWIFT_BACKTRACE": "enable=no"]))
        }
    }

    /// The consumer's plan, made by a worker of `pool` when there is one.
    /// - Throws: `FleetError` naming how the worker ended and the file it was at.
    public static func plan(
        _ migration: Migration, _ workspace: Workspace, fileBudget: Double = fileBudget, compilerIndex: CompilerIndex? = nil,
        pool: WorkerPool? = pool
    ) throws -> RewriteResult {
        var job = PlanJob(migration: migration, workspace: workspace, fileBudget: fileBudget, compilerIndex: compilerIndex)
        guard let pool else { return job.plan() }
        var givenUp: [SkippedFile] = []
        while true {
            let result = try pool.serve(try job.encoded())
            if result.answered, let plan = try? RewriteResult.decode(result.output) {
                return plan
            }
            if result.status == overBudgetStatus, givenUp.count < maximumFilesGivenUp,
               let path = result.lastProgress?.split(separator: " ", maxSplits: 1).dropFirst().first,
               result.lastProgress?.hasPrefix(overBudget + " ") == true {
                givenUp.append(SkippedFile(
                    path: String(path), reason: "not read: it took longer than the \(String(format: "%g", fileBudget)) s a file may take"))
                job.passOver = givenUp
                continue
            }
            throw FleetError(failure(result))
        }
    }

    /// "rewrite worker crashed: signal 11 while reading config/deep.json", and the like.
    static func failure(_ result: WorkerResult) -> String {
        let at = result.lastProgress.map { " while \($0)" } ?? ""
        let said = result.errorTail.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { ": " + $0.prefix(300) } ?? ""
        if result.timedOut { return "rewrite worker timed out after \(Int(timeout)) s\(at)" }
        if let signal = result.signal {
            // An allocation refused at the address-space limit ends a Swift program with a trap.
            let memory = result.errorTail.contains("alloc") ? " (memory limit of \(memoryBytes >> 20) MiB reached)" : ""
            let cpu = signal == SIGXCPU ? " (CPU time limit)" : ""
            return "rewrite worker crashed: signal \(signal)\(at)\(memory)\(cpu)\(said)"
        }
        if result.outputExceeded { return "rewrite worker's plan is larger than the bound on what skein reads\(at)" }
        if result.status != 0 { return "rewrite worker failed: exit status \(result.status)\(at)\(said)" }
        return "rewrite worker's plan could not be read\(said)"
    }
}
