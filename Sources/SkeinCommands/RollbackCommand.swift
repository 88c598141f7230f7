import ArgumentParser
import SkeinBasics

/// `skein rollback`: placeholder until its capability lands.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Undo a migration across the fleet.")

    func run() async throws {
        throw InputError("skein rollback is not available in this build yet")
    }
}
