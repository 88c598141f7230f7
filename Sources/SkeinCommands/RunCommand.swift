import ArgumentParser
import SkeinBasics

/// `skein run`: placeholder until its capability lands.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Migrate every consumer of a schema change.")

    func run() async throws {
        throw InputError("skein run is not available in this build yet")
    }
}
