import Foundation
import GitKit
import Ledger
import Schema
import SkeinBasics
import Testing
import TestSupport
@testable import Fleet

/// The fixture fleet as mirrors, plus a broken mirror, built once per test.
struct FixtureFleet {
    let directory = TemporaryDirectory("skein-discovery")
    var registry: String { directory.url("fleet/registry") }
    var mirrors: String { directory.url("fleet/mirrors") }

    init() throws {
        let made = runProgram("bash", [fixturePath("make-fleet.sh"), directory.url("fleet")], environment: [:])
        guard made.status == 0 else { throw InputError("make-fleet.sh failed: \(made.stderr)") }
        let upstreams = directory.url("fleet/upstreams")
        for name in try FileManager.default.contentsOfDirectory(atPath: upstreams).sorted() {
            _ = try Mirror.add(source: (upstreams as NSString).appendingPathComponent(name), in: mirrors, policy: Ledger.mirrorPolicy)
        }
        // A mirror whose object database is gone.
        let broken = (mirrors as NSString).appendingPathComponent("broken.git")
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        try Data("ref: refs/heads/main\n".utf8).write(to: URL(fileURLWithPath: broken + "/HEAD"))
        // A mirror whose HEAD names a branch that is gone.
        let dangling = (mirrors as NSString).appendingPathComponent("dangling.git")
        git("clone", "-q", "--bare", upstreams + "/weather.git", dangling, in: directory.path)
        git("symbolic-ref", "HEAD", "refs/heads/gone", in: dangling)
    }
}

@Suite struct DiscoveryTests {
    @Test func findsDeclaredAndUndeclaredConsumersOfTheFixtureFleet() async throws {
        let fleet = try FixtureFleet()
        let registry = try Registry(path: fleet.registry)
        let (transitions, errors) = try registry.transitions()
        #expect(errors.isEmpty)
        let report = try await Discovery.discover(mirrors: fleet.mirrors, datasets: transitions, jobs: 4)
        #expect(report.mirrorCount == 11)
        let plays = try #require(report.datasets.first { $0.dataset == "plays" })
        #expect(plays.consumers.map(\.repo) == [
            "client-audit", "dashboard", "duration-stats", "legacy-export", "play-counter", "reporting", "top-tracks",
        ])
        #expect(plays.consumers.filter { !$0.declared }.map(\.repo) == ["reporting"])
        let reporting = try #require(plays.consumers.first { $0.repo == "reporting" })
        // `.../plays/v1/daily` is under the old location; `.../plays/v10` is not.
        #expect(reporting.evidence == ["report.properties:2"])
        #expect(reporting.defaultBranch == "refs/heads/main")
        #expect(reporting.base.hex == git("rev-parse", "HEAD", in: fleet.mirrors + "/reporting.git"))
        let topTracks = try #require(plays.consumers.first { $0.repo == "top-tracks" })
        #expect(topTracks.evidence.first == "catalog-info.yaml:10")
        #expect(topTracks.evidence.contains("Sources/TopTracks/Charts.swift:5"))
        #expect(topTracks.evidence.contains("config/pipeline.yaml:5"))
        // The doc comment that mentions the record type is not a reference.
        #expect(!topTracks.evidence.contains("Sources/TopTracks/PlayEvent.swift:11"))
        let playCounter = try #require(plays.consumers.first { $0.repo == "play-counter" })
        #expect(playCounter.evidence.contains("settings.json:3"))
        #expect(plays.skipped.map(\.repo) == ["broken", "dangling", "empty-service"])
        #expect(plays.skipped[1].reason.contains("HEAD names refs/heads/gone, which does not exist"))
        #expect(plays.skipped.last?.reason == "empty repository (no commits)")
        #expect(plays.skipped.first?.reason.contains("cannot open the mirror") == true)

        let users = try #require(report.datasets.first { $0.dataset == "users" })
        #expect(users.consumers.map(\.repo) == ["top-tracks"])
    }

    @Test func consumersOfAMigration() async throws {
        let fleet = try FixtureFleet()
        let plan = try Registry(path: fleet.registry).plan(commit: nil)
        let migration = try #require(plan.migrations.first)
        let (consumers, skipped) = try await Discovery.consumers(of: migration, mirrors: fleet.mirrors, jobs: 3)
        #expect(consumers.count == 7)
        #expect(!consumers.contains { $0.repo == "weather" })
        #expect(skipped.map(\.repo) == ["broken", "dangling", "empty-service"])

        var everyone = migration
        everyone.datasets = ["all"]
        let (all, _) = try await Discovery.consumers(of: everyone, mirrors: fleet.mirrors, jobs: 3)
        #expect(all.map(\.repo).contains("weather"))
        #expect(all.count == 8)
    }

    @Test func aRenamedDatasetIsStillFoundByItsOldName() async throws {
        let directory = TemporaryDirectory()
        let upstream = directory.url("up/old-client")
        makeRepository(at: upstream, files: [
            "catalog-info.yaml": "kind: Component\nspec:\n  dependsOn: [resource:plays]\n",
            "Package.swift": "// swift-tools-version: 6.0\n",
        ])
        let mirrors = directory.url("mirrors")
        _ = try Mirror.add(source: upstream, in: mirrors, policy: Ledger.mirrorPolicy)
        let old = DatasetSpec(name: "plays", version: 1, location: "gs://a/plays/v1", fields: [])
        let new = DatasetSpec(name: "listens", previousName: "plays", version: 2, location: "gs://a/listens/v2", fields: [])
        let report = try await Discovery.discover(
            mirrors: mirrors, datasets: [DatasetTransition(old: old, new: new)], jobs: 1)
        #expect(report.datasets.first?.consumers.map(\.repo) == ["old-client"])
        #expect(report.datasets.first?.consumers.first?.declared == true)
    }

    @Test func aDescriptorThatIsNotValidYAMLIsReportedWithItsLine() async throws {
        let directory = TemporaryDirectory()
        let broken = "kind: Component\nspec:\n  dependsOn: [resource:plays\n  owner: [\n"
        // References the dataset's location too: an undeclared consumer, with the problem.
        makeRepository(at: directory.url("up/referencing"), files: [
            "catalog-info.yaml": broken,
            "Sources/App/Load.swift": "let source = \"gs://a/plays/v1\"\n",
        ])
        // Only its broken descriptor names the dataset: nothing says it is a consumer.
        makeRepository(at: directory.url("up/naming-only"), files: ["catalog-info.yaml": broken, "README.md": "hi\n"])
        let mirrors = directory.url("mirrors")
        for name in ["referencing", "naming-only"] { _ = try Mirror.add(source: directory.url("up/\(name)"), in: mirrors, policy: Ledger.mirrorPolicy) }
        let plays = DatasetSpec(name: "plays", version: 1, location: "gs://a/plays/v1", fields: [])
        let report = try await Discovery.discover(mirrors: mirrors, datasets: [DatasetTransition(old: nil, new: plays)], jobs: 1)
        let entry = try #require(report.datasets.first)

        let consumer = try #require(entry.consumers.first)
        #expect(entry.consumers.map(\.repo) == ["referencing"])
        #expect(!consumer.declared)
        #expect(consumer.evidence == ["Sources/App/Load.swift:1"])
        #expect(consumer.problems.count == 1)
        #expect(consumer.problems.first?.hasPrefix("catalog-info.yaml:") == true, "\(consumer.problems)")
        #expect(consumer.problems.first?.contains("its dependencies are not read") == true)
        let skipped = try #require(entry.skipped.first { $0.repo == "naming-only" })
        #expect(skipped.reason.hasPrefix("catalog-info.yaml:"), "\(skipped.reason)")
        #expect(report.json.serialized().contains("\"problems\""))
    }

    @Test func aMissingMirrorsDirectoryIsBadInput() async {
        await #expect(throws: InputError.self) {
            _ = try await Discovery.discover(mirrors: "/nonexistent/mirrors", datasets: [], jobs: 1)
        }
    }
}

@Suite struct DiscoveryMatcherTests {
    let needles = DatasetNeedles(names: ["plays"], locations: ["gs://data/plays/v1"], record: "PlayEvent")

    func lines(_ text: String, _ path: String) -> [Int] {
        var copy = text
        return copy.withUTF8 { Matcher.lines(in: UnsafeRawBufferPointer($0), flavor: FileFlavor(path: path)!, needles: needles) }
    }

    @Test func locationsMatchExactlyOrAsADirectoryPrefix() {
        #expect(lines("a = \"gs://data/plays/v1\"\n", "A.swift") == [1])
        #expect(lines("x\nsrc=gs://data/plays/v1/daily\n", "a.properties") == [2])
        #expect(lines("src=gs://data/plays/v10\n", "a.properties") == [])
        #expect(lines("src=gs://data/plays/v1.csv\n", "a.properties") == [])
        #expect(lines("src=xgs://data/plays/v1\n", "a.properties") == [])
        #expect(lines("{\"p\": \"gs://data/plays/v1/part-*.parquet\"}\n", "s.json") == [1])
    }

    @Test func idsMatchOnlyAsWholeValuesOrLiterals() {
        #expect(lines("let d = \"plays\"\n", "A.swift") == [1])
        #expect(lines("let d = \"plays.v1\"\n", "A.swift") == [1])
        #expect(lines("let d = \"plays-sample.jsonl\"\nfunc playsPerUser() {}\n", "A.swift") == [])
        #expect(lines("datasets:\n  plays:\n    version: 1\n", "c.yaml") == [2])
        #expect(lines("dataset: plays_v1   # the table\n", "c.yaml") == [1])
        #expect(lines("description: counts plays per user\n", "c.yaml") == [])
        #expect(lines("inputs:\n  - plays\n", "c.yml") == [2])
        #expect(lines("DATASET=plays@1\n", ".env") == [1])
        #expect(lines("{\"dataset\": \"plays\"}\n", "s.json") == [1])
        #expect(lines("out: gs://archive/plays\n", "c.yaml") == [])
    }

    @Test func recordTypesMatchAsIdentifiersOutsideComments() {
        #expect(lines("struct PlayEvent: Codable {}\n", "A.swift") == [1])
        #expect(lines("let x: [PlayEvents] = []\n", "A.swift") == [])
        #expect(lines("/// Shares a name with PlayEvent.\n", "A.swift") == [])
        #expect(lines("let s = \"gs://x\" // PlayEvent\n", "A.swift") == [])
        #expect(lines(" * PlayEvent in a block comment\n", "A.swift") == [])
        // Only Swift files carry record types.
        #expect(lines("type: PlayEvent\n", "c.yaml") == [])
        #expect(lines("# src: gs://data/plays/v1\n", "c.yaml") == [])
    }

    @Test func theRareBytePatternFindsEveryOccurrence() {
        var text = String(repeating: "gs://data/plays/v", count: 3) + "gs://data/plays/v1"
        let offset = text.withUTF8 { BytePattern("gs://data/plays/v1").firstOffset(in: UnsafeRawBufferPointer($0), from: 0) }
        #expect(offset == 51)
        let none = text.withUTF8 { BytePattern("PlayEvent").firstOffset(in: UnsafeRawBufferPointer($0), from: 0) }
        #expect(none == nil)
    }
}
