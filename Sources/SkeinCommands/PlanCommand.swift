import ArgumentParser
import SkeinBasics

/// `skein plan`: placeholder until its capability lands.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show the typed changes a schema commit or migration file makes.")

    func run() async throws {
        throw InputError("skein plan is not available in this build yet")
    }
}
