import Foundation
import Sandbox
import SkeinBasics
import Testing
import TestSupport

/// Without bubblewrap, a sandboxed run is refused with a way to get it; it never runs
/// unsandboxed instead. Needs no bubblewrap on the machine.
@Suite struct UnavailableTests {
    @Test func aSandboxedRunWithoutBubblewrapIsRefusedAndNothingRuns() throws {
        let place = SandboxPlace("skein-sandbox-missing")
        let missing = place.directory.url("no-bubblewrap/bwrap")
        let runner = place.runner { $0.bubblewrapPath = missing }
        let error = #expect(throws: SandboxError.self) { try runner.run(command: "touch ran") }
        #expect(error?.kind == .unavailable)
        #expect(error?.exitStatus == .badInput)
        #expect(error?.isTransient == false)
        #expect(error?.description.contains("apt-get install bubblewrap") == true)
        #expect(error?.description.contains("--sandbox none") == true)
        #expect(throws: SandboxError.self) { try runner.runTests(command: "touch ran") }
        #expect(!FileManager.default.fileExists(atPath: place.worktree + "/ran"))

        // The explicit opt-out runs the same command without bubblewrap.
        let unsandboxed = try place.runner(mode: .none) { $0.bubblewrapPath = missing }.run(command: "touch ran")
        #expect(unsandboxed.status == 0)
        #expect(FileManager.default.fileExists(atPath: place.worktree + "/ran"))
    }
}
