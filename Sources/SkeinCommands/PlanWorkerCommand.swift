import ArgumentParser
import Fleet
import Foundation
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
        let plan = PlanProgress.$reporter.withValue({ activity, path in
            let line = RewriteWorker.progressPrefix + activity + " " + path.replacingOccurrences(of: "\n", with: "\\n") + "\n"
            // Unbuffered: the line must be out before the file is touched.
            FileHandle.standardError.write(Data(line.utf8))
        }) {
            job.plan()
        }
        FileHandle.standardOutput.write(try plan.encoded())
    }
}
