import Foundation
import Testing
@testable import Sandbox

/// What the sandboxes of a killed skein left running is ended by the next run.
@Suite struct OrphanSweepTests {
    @Test func processesInTheGroupsOfAGoneSkeinAreKilledAndTheGroupsRemoved() throws {
        // The pids controller (v1) or the unified hierarchy (v2): where runs make their groups.
        let parent = try #require(ResourceGroup.groupParents().first { $0.contains("pids") } ?? ResourceGroup.groupParents().first)
        // A pid no process has: the group's skein is gone.
        var gone: pid_t = 4_000_000
        while kill(gone, 0) == 0 || errno != ESRCH { gone -= 1 }
        let orphan = parent + "/skein-run-\(gone)-1"
        try #require(mkdir(orphan, 0o755) == 0, "cannot make a cgroup here: \(String(cString: strerror(errno)))")
        // A group of this (live) process must survive the sweep.
        let live = parent + "/skein-run-\(getpid())-424242"
        try #require(mkdir(live, 0o755) == 0)
        defer { rmdir(live); rmdir(orphan) }

        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["600"]
        try sleeper.run()
        try "\(sleeper.processIdentifier)".write(toFile: orphan + "/cgroup.procs", atomically: false, encoding: .utf8)

        #expect(RunningProcesses.sweepOrphans() >= 1)
        sleeper.waitUntilExit()
        #expect(sleeper.terminationReason == .uncaughtSignal)
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(FileManager.default.fileExists(atPath: live))
    }
}
