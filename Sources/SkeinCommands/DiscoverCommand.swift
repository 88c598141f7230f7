import ArgumentParser
import SkeinBasics

/// `skein discover`: placeholder until its capability lands.
struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "discover", abstract: "Find the consumers of datasets among the mirrors.")

    func run() async throws {
        throw InputError("skein discover is not available in this build yet")
    }
}
