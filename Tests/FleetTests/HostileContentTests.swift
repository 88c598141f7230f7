import Foundation
import SkeinBasics
import Testing
import TestSupport

/// A fleet with hostile consumers beside the ordinary ones: every hostile one ends with an
/// outcome that names its file, every ordinary one ends as it does without them, and skein's
/// own memory stays small. Sizes are scaled down from the ones met in the field (2 GB of test
/// output, a 60 MB descriptor) to keep the suite quick; the shapes are the same.
@Suite struct HostileContentTests {
    /// A copy of the fixture consumer `play-counter` (a real package that references `plays`).
    static func ordinaryFiles() -> [String: String] {
        let root = fixturePath("fleet/consumers/play-counter")
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let text = try? String(contentsOfFile: root + "/" + relative, encoding: .utf8) else { continue }
            files[relative] = text
        }
        return files
    }

    static let location = "gs://listening-data/plays/v1"

    static func deep(_ depth: Int, json: Bool) -> String {
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        return json ? "{\"source\": \"\(location)\", \"track_id\": \(nested)}\n" : "source = \"\(location)\"\ntrack_id = \(nested)\n"
    }

    /// Hostile consumers: name → (extra files, the file the outcome must name).
    /// JSON and TOML are nested 5,000 deep (the config readers' depth limit names them) and
    /// 200,000 deep (deeper than any stack holds, should a limit ever be missed).
    static func hostile() -> [(name: String, files: [String: String], names: String)] {
        let deepJSON = "{\"source\": \"\(location)\", \"track_id\": " + String(repeating: "[", count: 200_000)
            + String(repeating: "]", count: 200_000) + "}\n"
        let deepTOML = "source = \"\(location)\"\ntrack_id = " + String(repeating: "[", count: 200_000)
            + String(repeating: "]", count: 200_000) + "\n"
        let surrogate = "{\"source\": \"\(location)\", \"track_id\": \"\\uD888\\u1234\"}\n"
        let deepSwift = "import Foundation\nlet nested = " + String(repeating: "(", count: 2000) + "event.track_id"
            + String(repeating: ")", count: 2000) + "\n"
        let brackets = "let grid = " + String(repeating: "[", count: 24) + "\"track_id\"" + String(repeating: "]", count: 24) + "\n"
        let bomb = """
            source: \(location)
            a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
            g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
            h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
            i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
            track_id: *i

            """
        return [
            ("deep-json", ["config/deep.json": deepJSON], "config/deep.json"),
            ("deep-json-5000", ["config/deep.json": deep(5000, json: true)], "config/deep.json"),
            ("deep-toml-5000", ["config/deep.toml": deep(5000, json: false)], "config/deep.toml"),
            ("deep-toml", ["config/deep.toml": deepTOML], "config/deep.toml"),
            ("broken-surrogate", ["config/surrogate.json": surrogate], "config/surrogate.json"),
            ("deep-swift", ["Sources/PlayCounter/Deep.swift": deepSwift], "Sources/PlayCounter/Deep.swift"),
            ("bracket-run", ["Sources/PlayCounter/Grid.swift": brackets], "Sources/PlayCounter/Grid.swift"),
            ("alias-bomb", ["config/bomb.yaml": bomb], "config/bomb.yaml"),
        ]
    }

    /// Runs skein to its end, sampling its peak resident memory (VmHWM) as it goes.
    static func runMeasured(_ arguments: [String]) throws -> (status: Int32, peakBytes: Int, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: skeinExecutable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(isolatedGitEnvironment) { $1 }
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("skein-hostile-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        var peak = 0
        while process.isRunning {
            if let status = FileRead.text("/proc/\(process.processIdentifier)/status"),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
                peak = max(peak, kilobytes * 1024)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        return (process.terminationStatus, peak, (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }

    @Test func hostileConsumersEndNamingTheirFileAndTheRestEndsAsAlone() throws {
        // The ordinary fleet alone, for comparison.
        let alone = FleetFixture(testCommand: "true")
        let aloneRun = alone.run()
        #expect(aloneRun.status <= 1, "\(aloneRun.stderr)")

        let fleet = FleetFixture(testCommand: "true")
        var sources: [String] = []
        for (name, extra, _) in Self.hostile() {
            let path = fleet.directory.url("hostile/\(name)")
            makeRepository(at: path, files: Self.ordinaryFiles().merging(extra) { $1 })
            sources.append(path)
        }
        // Tests that print 256 MiB on one line and a million short lines, then pass.
        let flood = fleet.directory.url("hostile/output-flood")
        makeRepository(at: flood, files: Self.ordinaryFiles().merging([
            ".skein.yaml": "test:\n  command: \"head -c 268435456 /dev/zero | tr '\\\\0' x; echo; yes | head -n 1000000; echo done\"\n",
        ]) { $1 })
        // A catalog-info.yaml of 2 MiB that names the dataset.
        let catalog = fleet.directory.url("hostile/big-catalog")
        let tag = "    - " + String(repeating: "x", count: 60) + "\n"
        makeRepository(at: catalog, files: Self.ordinaryFiles().merging([
            "catalog-info.yaml": "kind: Component\nmetadata:\n  name: big-catalog\nspec:\n  dependsOn: [resource:plays]\n  tags:\n"
                + String(repeating: tag, count: (2 << 20) / tag.utf8.count + 1),
        ]) { $1 })
        sources += [flood, catalog]
        let added = skein(["mirror", "add", "--mirrors", fleet.mirrors] + sources)
        #expect(added.status == 0, "\(added.stderr)")

        let run = try Self.runMeasured(["run", "--registry", fleet.registry, "--mirrors", fleet.mirrors])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.peakBytes > 0 && run.peakBytes < 500 << 20, "skein's peak memory was \(run.peakBytes >> 20) MiB")

        for (name, _, file) in Self.hostile() {
            let entry = fleet.ledger(name).last ?? [:]
            let status = entry["status"] as? String
            let said = ((entry["error"] as? String) ?? "") + ((entry["attention"] as? [String]) ?? []).joined(separator: "\n")
            // The YAML reader counts aliases rather than expanding them, so a bomb it can read
            // without expanding is planned like any file; otherwise it must be named.
            if name == "alias-bomb" && status == "tests-passed" { continue }
            #expect(status == "error" || status == "needs-human", "\(name): \(entry)")
            #expect(said.contains(file), "\(name) does not name \(file): \(said)")
        }
        let flooded = fleet.ledger("output-flood").last ?? [:]
        #expect(flooded["status"] as? String == "tests-passed", "\(flooded)")
        let notes = (flooded["sandbox_notes"] as? [String]) ?? []
        #expect(notes.contains { $0.hasPrefix("output was ") }, "\(notes)")
        if let log = flooded["log"] as? String {
            let size = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
            #expect(size <= (8 << 20) + 4096, "log is \(size) bytes")
        }
        let big = fleet.ledger("big-catalog").last ?? [:]
        let bigSaid = ((big["attention"] as? [String]) ?? []).joined(separator: "\n")
        #expect(bigSaid.contains("catalog-info.yaml: "), "\(big)")
        #expect(bigSaid.contains("larger than the 1 MiB skein reads"), "\(big)")

        for repo in consumersOfPlays.sorted() {
            #expect(fleet.status(repo) == alone.status(repo), "\(repo): \(fleet.status(repo) ?? "none") vs \(alone.status(repo) ?? "none") alone")
        }
    }
}
