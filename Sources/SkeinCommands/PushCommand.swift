import ArgumentParser
import SkeinBasics

/// `skein push`: placeholder until its capability lands.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Push migration branches and the ledger to each upstream.")

    func run() async throws {
        throw InputError("skein push is not available in this build yet")
    }
}
