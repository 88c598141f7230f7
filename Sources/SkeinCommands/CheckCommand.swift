import ArgumentParser
import SkeinBasics

/// `skein check`: placeholder until its capability lands.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "List uses of retired fields, locations and versions in a consumer checkout.")

    func run() async throws {
        throw InputError("skein check is not available in this build yet")
    }
}
