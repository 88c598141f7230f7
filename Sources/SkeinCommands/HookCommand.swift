import ArgumentParser
import SkeinBasics

/// `skein hook`: placeholder until its capability lands.
struct HookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hook", abstract: "Install skein's git hooks.")

    func run() async throws {
        throw InputError("skein hook is not available in this build yet")
    }
}
