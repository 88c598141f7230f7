import Foundation
import Testing
import TestSupport

@Suite struct DiscoverCommandTests {
    /// The fixture fleet mirrored through `skein mirror add`, plus a broken mirror.
    func fleet(_ directory: TemporaryDirectory) -> (registry: String, mirrors: String) {
        let registry = fixtureRegistry(directory)
        let upstreams = directory.url("fleet/upstreams")
        let sources = try! FileManager.default.contentsOfDirectory(atPath: upstreams).sorted().map { upstreams + "/" + $0 }
        let mirrors = directory.url("fleet/mirrors")
        let added = skein(["mirror", "add", "--mirrors", mirrors] + sources)
        precondition(added.status == 0, added.stderr)
        try! FileManager.default.createDirectory(atPath: mirrors + "/broken.git", withIntermediateDirectories: true)
        return (registry, mirrors)
    }

    @Test func discoversAsJSON() throws {
        let directory = TemporaryDirectory()
        let (registry, mirrors) = fleet(directory)
        let result = skein(["discover", "--registry", registry, "--mirrors", mirrors, "plays", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let datasets = try #require(parseJSON(result.stdout)?["datasets"] as? [[String: Any]])
        #expect(datasets.count == 1)
        #expect(datasets[0]["dataset"] as? String == "plays")
        let consumers = try #require(datasets[0]["consumers"] as? [[String: Any]])
        #expect(consumers.map { $0["repo"] as? String } == [
            "client-audit", "dashboard", "duration-stats", "legacy-export", "play-counter", "reporting", "top-tracks",
        ])
        let reporting = consumers.first { $0["repo"] as? String == "reporting" }
        #expect(reporting?["declared"] as? Bool == false)
        #expect(reporting?["evidence"] as? [String] == ["report.properties:2"])
        let skipped = try #require(datasets[0]["skipped"] as? [[String: Any]])
        #expect(skipped.map { $0["repo"] as? String } == ["broken", "empty-service"])
        #expect(skipped.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
    }

    @Test func everyDatasetWithMirrorsFromSettings() {
        let directory = TemporaryDirectory()
        let (registry, _) = fleet(directory)
        // The fixture's skein.yaml says `mirrors: ../mirrors`.
        let result = skein(["discover", "--registry", registry])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("plays (v2, gs://listening-data/plays/v2): 7 consumers, 1 undeclared"))
        #expect(result.stdout.contains("users (v3, gs://listening-data/users/v3): 1 consumer"))
        #expect(result.stdout.contains("skipped empty-service: empty repository (no commits)"))
        #expect(!result.stdout.contains("weather"))
    }

    @Test func anUnknownDatasetIsBadInput() {
        let directory = TemporaryDirectory()
        let (registry, mirrors) = fleet(directory)
        let result = skein(["discover", "--registry", registry, "--mirrors", mirrors, "podcasts"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no dataset `podcasts`"))
        #expect(skein(["discover", "--registry", registry, "--mirrors", directory.url("none")]).status == 2)
    }
}
