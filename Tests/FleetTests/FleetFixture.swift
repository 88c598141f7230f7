import Foundation
import Testing
import TestSupport

/// The bundled fixture fleet as real repos in a temp dir, mirrored.
final class FleetFixture: @unchecked Sendable {
    let directory = TemporaryDirectory("skein-fleet")
    var root: String { directory.path }
    var registry: String { directory.url("registry") }
    var mirrors: String { directory.url("mirrors") }
    func mirror(_ name: String) -> String { directory.url("mirrors/\(name).git") }
    func upstream(_ name: String) -> String { directory.url("upstreams/\(name).git") }

    /// Every ledger line in the upstream's `refs/notes/skein`, over all the objects it notes.
    func upstreamLedgerLines(_ name: String) -> [String] {
        let upstream = upstream(name)
        return git("notes", "--ref=skein", "list", in: upstream).split(separator: "\n").flatMap { note in
            git("notes", "--ref=skein", "show", String(note.split(separator: " ")[1]), in: upstream)
                .split(separator: "\n").map(String.init)
        }
    }

    /// `testCommand` replaces the consumers' `swift test` (e.g. `true`) for tests of the
    /// orchestration alone.
    init(testCommand: String? = nil) {
        var environment = isolatedGitEnvironment
        if let testCommand { environment["SKEIN_FLEET_TEST_COMMAND"] = testCommand }
        let made = runProgram(fixturePath("make-fleet.sh"), [root], environment: environment)
        precondition(made.status == 0, "make-fleet failed: \(made.stderr)")
        let upstreams = try! FileManager.default.contentsOfDirectory(atPath: directory.url("upstreams")).sorted()
        let added = skein(["mirror", "add", "--mirrors", mirrors] + upstreams.map { directory.url("upstreams/\($0)") })
        precondition(added.status == 0, "mirror add failed: \(added.stderr)")
    }

    func run(_ extra: [String] = []) -> CommandOutput {
        skein(["run", "--registry", registry, "--mirrors", mirrors] + extra)
    }

    /// The last ledger line of `repo` for a migration, as JSON text parsed into a dictionary.
    func ledger(_ repo: String, migration: String = "plays-v2") -> [[String: Any]] {
        let notes = git("notes", "--ref=skein", "list", in: mirror(repo))
        var lines: [[String: Any]] = []
        for note in notes.split(separator: "\n") {
            let object = String(note.split(separator: " ")[1])
            let text = git("notes", "--ref=skein", "show", object, in: mirror(repo))
            for line in text.split(separator: "\n") {
                if let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                   json["migration"] as? String == migration {
                    lines.append(json)
                }
            }
        }
        return lines.sorted { ($0["at"] as? String ?? "") < ($1["at"] as? String ?? "") }
    }

    func status(_ repo: String, migration: String = "plays-v2") -> String? {
        ledger(repo, migration: migration).last?["status"] as? String
    }

    /// Every ref of every mirror with its target, to prove a re-run moves nothing.
    func allRefs() -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: mirrors).filter { $0.hasSuffix(".git") }.sorted()) ?? []
        return names.map { "\($0)\n" + git("for-each-ref", in: mirror(String($0.dropLast(4)))) }.joined(separator: "\n")
    }
}
