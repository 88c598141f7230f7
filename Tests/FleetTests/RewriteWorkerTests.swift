import Fleet
import Foundation
import Rewrite
import Sandbox
import SkeinBasics
import Testing
import TestSupport

/// Planning in a `skein plan-worker` process: the same plan as in-process, and a worker that
/// dies or stalls ends as an error (or a file given up) naming the file it was at.
@Suite struct RewriteWorkerTests {
    static let migration = trackRenameMigration

    /// A consumer whose one Swift file takes the parser a few seconds.
    static func slowConsumer() -> TemporaryDirectory {
        let directory = TemporaryDirectory("skein-worker")
        directory.write("Sources/App/PlayEvent.swift", "struct PlayEvent: Codable { var track_id: String }\n")
        let line = "let value = PlayEvent(track_id: \"x\").track_id.count + [1, 2, 3].map { $0 * 2 }.reduce(0, +)\n"
        directory.write("Sources/App/Big.swift", "func big() {\n" + String(repeating: line, count: 40_000) + "}\n")
        return directory
    }

    @Test func theWorkerPlansWhatThisProcessPlans() throws {
        #expect(RewriteWorker.executable != nil, "no skein binary beside the tests")
        let directory = TemporaryDirectory("skein-worker")
        directory.write("Sources/App/PlayEvent.swift", "struct PlayEvent: Codable {\n    var track_id: String\n}\n")
        directory.write("config/app.json", "{\"fields\": [\"track_id\"], \"source\": \"gs://plays/v1\"}\n")
        let workspace = Workspace(root: directory.path)
        let inWorker = try RewriteWorker.plan(Self.migration, workspace)
        let here = Migrator(migration: Self.migration).plan(workspace)
        #expect(inWorker.edits == here.edits)
        #expect(inWorker.attention == here.attention)
        #expect(inWorker.counts == here.counts)
        #expect(inWorker.edits.contains { $0.path == "Sources/App/PlayEvent.swift" && $0.newText.contains("var track_uri") })
    }

    @Test func aWorkerKilledBySignalIsAnErrorNamingTheFileItWasReading() throws {
        let directory = Self.slowConsumer()
        // A pool of its own: its workers are the only ones this test may kill.
        let pool = try #require(RewriteWorker.newPool())
        // Crash the worker the way a parser fault would: SIGSEGV once it has spent half a second
        // of CPU, by then parsing the big file (the first in path order).
        let killer = Thread {
            for _ in 0..<6000 {
                Thread.sleep(forTimeInterval: 0.05)
                for pid in pool.busyProcesses where cpuTicks(pid) > 50 {
                    kill(pid, SIGSEGV)
                    return
                }
            }
        }
        killer.start()
        do {
            _ = try RewriteWorker.plan(Self.migration, Workspace(root: directory.path), fileBudget: 600, pool: pool)
            Issue.record("the worker was not killed")
        } catch {
            #expect(String(describing: error).hasPrefix("rewrite worker crashed: signal 11 while reading Sources/App/Big.swift"),
                    "\(error)")
        }
        // The next consumer gets a new worker.
        let next = TemporaryDirectory("skein-worker")
        next.write("Sources/App/PlayEvent.swift", "struct PlayEvent: Codable { var track_id: String }\n")
        let plan = try RewriteWorker.plan(Self.migration, Workspace(root: next.path), pool: pool)
        #expect(plan.edits.map(\.path) == ["Sources/App/PlayEvent.swift"])
        #expect(pool.workersStarted == 2)
    }

    /// One worker plans consumer after consumer; one that died while idle (killed, or out of
    /// memory) is replaced without the next consumer paying for it.
    @Test func aWorkerServesConsumerAfterConsumerAndADeadOneIsReplaced() throws {
        let pool = try #require(RewriteWorker.newPool())
        var plans: [RewriteResult] = []
        for index in 0..<3 {
            let directory = TemporaryDirectory("skein-worker")
            directory.write("Sources/App\(index)/PlayEvent.swift", "struct PlayEvent: Codable { var track_id: String }\n")
            plans.append(try RewriteWorker.plan(Self.migration, Workspace(root: directory.path), pool: pool))
        }
        #expect(plans.map { $0.edits.map(\.path) } == (0..<3).map { ["Sources/App\($0)/PlayEvent.swift"] })
        #expect(pool.workersStarted == 1)
        let idle = pool.idleProcesses
        #expect(idle.count == 1)

        for pid in idle { kill(pid, SIGKILL) }
        let directory = TemporaryDirectory("skein-worker")
        directory.write("Sources/Last/PlayEvent.swift", "struct PlayEvent: Codable { var track_id: String }\n")
        let plan = try RewriteWorker.plan(Self.migration, Workspace(root: directory.path), pool: pool)
        #expect(plan.edits.map(\.path) == ["Sources/Last/PlayEvent.swift"])
        #expect(pool.workersStarted == 2)
        #expect(pool.idleProcesses.count == 1 && pool.idleProcesses != idle)
    }

    /// A worker is ended after a number of consumers, or once it holds more memory than a
    /// worker should keep, and the next consumer gets a new one.
    @Test func aWorkerIsRetiredAfterItsShareOfConsumersOrPastItsMemory() throws {
        let settings = try #require(RewriteWorker.newPool()).settings
        let byCount = WorkerPool(settings, retireAfter: 2)
        let byMemory = WorkerPool(settings, retireBytes: 1 << 20)
        let directory = TemporaryDirectory("skein-worker")
        directory.write("Sources/App/PlayEvent.swift", "struct PlayEvent: Codable { var track_id: String }\n")
        for _ in 0..<3 {
            #expect(try RewriteWorker.plan(Self.migration, Workspace(root: directory.path), pool: byCount).edits.count == 1)
            #expect(try RewriteWorker.plan(Self.migration, Workspace(root: directory.path), pool: byMemory).edits.count == 1)
        }
        #expect(byCount.workersStarted == 2)
        #expect(byMemory.workersStarted == 3)
        #expect(byMemory.idleProcesses.isEmpty)
    }

    @Test func aFileOverItsTimeBudgetIsGivenUpAndNamedForAPerson() throws {
        let directory = Self.slowConsumer()
        let plan = try RewriteWorker.plan(Self.migration, Workspace(root: directory.path), fileBudget: 0.2)
        let lines = plan.attention.map(\.description)
        #expect(lines.contains("Sources/App/Big.swift:1: not read: it took longer than the 0.2 s a file may take; not edited"),
                "\(lines)")
        // The rest of the consumer is still planned.
        #expect(plan.edits.contains { $0.path == "Sources/App/PlayEvent.swift" })
    }
}

/// User and system CPU time of a process, in clock ticks.
func cpuTicks(_ pid: pid_t) -> Int {
    guard let stat = FileRead.text("/proc/\(pid)/stat"),
          let close = stat.range(of: ")", options: .backwards) else { return 0 }
    let fields = stat[close.upperBound...].split(separator: " ")
    guard fields.count > 13 else { return 0 }
    return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
}
