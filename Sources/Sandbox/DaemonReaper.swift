import Foundation

/// Ends daemons a step started: a process that called `setsid` (a new sid, apart from the step's) and was then
/// orphaned to the sandbox's init is no longer part of the command, yet it can keep the command
/// from ending. Foundation's `Process`, for one, waits in `waitUntilExit` until every holder of
/// a socket it gives the child has gone, and a daemon the child started holds it forever: a test
/// that passes would instead run into the timeout. Such daemons are killed as soon as they are
/// seen (checked every second among the run's cgroup), and everything else at the end of the step.
final class DaemonReaper: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(group: ResourceGroup, interval: Double = 1) {
        Thread.detachNewThread { [done, finished] in
            while done.wait(timeout: .now() + interval) == .timedOut {
                Self.killDaemons(in: group)
            }
            finished.signal()
        }
    }

    func stop() {
        done.signal()
        finished.wait()
    }

    /// One pass: in the PID namespace of the run, the init is the process whose innermost pid is
    /// 1 and the command is 2; a child of the init other than the command, with a sid of its
    /// own, is a daemon.
    static func killDaemons(in group: ResourceGroup) {
        let processes = group.processIDs().compactMap(ProcessInfoEntry.init(pid:))
        guard let initPID = processes.first(where: { $0.namespacePID == 1 })?.pid,
              let command = processes.first(where: { $0.namespacePID == 2 && $0.parent == initPID })
        else { return }
        for process in processes where process.parent == initPID && process.pid != command.pid && process.sid != command.sid {
            // Everything with its sid goes: what it started is part of the daemon.
            for member in processes where member.sid == process.sid { kill(member.pid, SIGKILL) }
        }
    }

    /// What `/proc/<pid>/status` and `stat` say about a process.
    struct ProcessInfoEntry {
        var pid: pid_t
        var parent: pid_t
        var sid: pid_t
        var namespacePID: pid_t

        init?(pid: pid_t) {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { return nil }
            // After the command name: state ppid pgrp sid ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, let parent = pid_t(fields[1]), let sid = pid_t(fields[3]) else { return nil }
            let nspid = status.split(separator: "\n").first { $0.hasPrefix("NSpid:") }
            guard let innermost = nspid?.split(whereSeparator: { $0 == "\t" || $0 == " " }).last.flatMap({ pid_t($0) }) else { return nil }
            self.pid = pid
            self.parent = parent
            self.sid = sid
            namespacePID = innermost
        }
    }
}
