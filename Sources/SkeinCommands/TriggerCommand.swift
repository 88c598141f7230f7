import ArgumentParser
import SkeinBasics

/// `skein trigger`: placeholder until its capability lands.
struct TriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trigger", abstract: "Start a run for schema changes (called by the hooks).")

    func run() async throws {
        throw InputError("skein trigger is not available in this build yet")
    }
}
