import ArgumentParser
import SkeinBasics

/// `skein status`: placeholder until its capability lands.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Report migration outcomes from the ledger.")

    func run() async throws {
        throw InputError("skein status is not available in this build yet")
    }
}
