import Foundation
import Testing
import TestSupport

/// Catch-up and statuses that later runs keep, on real repos: a registry with four versions of
/// `plays`, consumers left on older versions, and non-bare upstreams.
@Suite struct CatchUpFleetTests {
    static func plays(_ version: Int, fields: String) -> String {
        """
        name: plays
        version: \(version)
        location: gs://listening-data/plays/v\(version)
        owner: team-listening
        swift:
          record: PlayEvent
        fields:
          - name: user_id
            type: string
        \(fields)
        """
    }

    static let versions = [
        plays(1, fields: "  - { name: track_id, type: string }\n  - { name: ms_played, type: int32 }"),
        plays(2, fields: "  - { name: track_uri, type: string, previously: track_id }\n  - { name: ms_played, type: int64 }"),
        plays(3, fields: "  - { name: track_uri, type: string }\n  - { name: ms_played, type: int64 }"),
        plays(4, fields: "  - { name: track_ref, type: string, previously: track_uri }\n  - { name: ms_played, type: int64 }"),
    ]

    static func consumer(track: String, msType: String, location: Int) -> [String: String] {
        [
            "catalog-info.yaml": """
                apiVersion: backstage.io/v1alpha1
                kind: Component
                metadata: { name: consumer }
                spec:
                  owner: team-charts
                  dependsOn: [resource:plays]
                """,
            ".skein.yaml": "test: { command: \"true\" }\n",
            "Package.swift": "// swift-tools-version:5.9\nimport PackageDescription\nlet package = Package(name: \"App\", targets: [.target(name: \"App\")])\n",
            "Sources/App/PlayEvent.swift": """
                struct PlayEvent: Codable {
                    let user_id: String
                    let \(track): String
                    let ms_played: \(msType)
                }

                func key(_ event: PlayEvent) -> String { event.\(track) }
                let bucket = "gs://listening-data/plays/v\(location)"
                """,
            "config/plays.yaml": """
                datasets:
                  plays:
                    location: gs://listening-data/plays/v\(location)   # where rows are read
                    version: \(location)
                    partition_by: \(track)
                """,
        ]
    }

    struct World {
        let directory = TemporaryDirectory("skein-catch-up")
        var registry: String { directory.url("registry") }
        var mirrors: String { directory.url("mirrors") }
        func upstream(_ name: String) -> String { directory.url("upstreams/\(name)") }
        func mirror(_ name: String) -> String { directory.url("mirrors/\(name).git") }

        init(versions: [String] = CatchUpFleetTests.versions, consumers: [String: [String: String]]) {
            makeRepository(at: directory.url("registry"), files: ["datasets/plays.yaml": versions[0]], message: "plays v1")
            for (index, text) in versions.enumerated().dropFirst() {
                commit(files: ["datasets/plays.yaml": text], in: directory.url("registry"), message: "plays v\(index + 1)")
            }
            for (name, files) in consumers.sorted(by: { $0.key < $1.key }) {
                makeRepository(at: directory.url("upstreams/\(name)"), files: files)
                let added = skein(["mirror", "add", "--mirrors", directory.url("mirrors"), directory.url("upstreams/\(name)")])
                precondition(added.status == 0, added.stderr)
            }
        }

        func run(_ extra: [String] = []) -> CommandOutput {
            skein(["run", "--registry", registry, "--mirrors", mirrors] + extra)
        }

        func ledger(_ repo: String, _ migration: String) -> [[String: Any]] {
            var lines: [[String: Any]] = []
            for note in git("notes", "--ref=skein", "list", in: mirror(repo)).split(separator: "\n") {
                let object = String(note.split(separator: " ")[1])
                for line in git("notes", "--ref=skein", "show", object, in: mirror(repo)).split(separator: "\n") {
                    if let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                       json["migration"] as? String == migration { lines.append(json) }
                }
            }
            return lines.sorted { ($0["at"] as? String ?? "") < ($1["at"] as? String ?? "") }
        }

        func status(_ repo: String, _ migration: String) -> String? {
            let output = skein(["status", "--mirrors", mirrors, migration, "--json"])
            let json = try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
            let repos = (json?["migrations"] as? [[String: Any]])?.first?["repos"] as? [[String: Any]] ?? []
            return repos.first { $0["repo"] as? String == repo }?["status"] as? String
        }
    }

    @Test func aConsumerOnVersionOneIsMigratedStraightToVersionFour() throws {
        let world = World(consumers: ["behind": Self.consumer(track: "track_id", msType: "Int32", location: 1)])
        let plan = skein(["plan", "--registry", world.registry])
        #expect(plan.stdout.contains("renameField plays: track_id → track_ref  (from v1)"), "\(plan.stdout)")
        #expect(plan.stdout.contains("renameField plays: track_uri → track_ref  (from v2)"))
        let json = skein(["plan", "--registry", world.registry, "--json"])
        let planned = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let changes = ((planned?["migrations"] as? [[String: Any]])?.first?["changes"] as? [[String: Any]]) ?? []
        #expect(changes.contains {
            $0["kind"] as? String == "moveLocation" && $0["from"] as? String == "gs://listening-data/plays/v1"
                && $0["to"] as? String == "gs://listening-data/plays/v4" && $0["from_version"] as? Int == 1
        }, "\(json.stdout)")

        let result = world.run()
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let line = try #require(world.ledger("behind", "plays-v4").last)
        #expect(line["status"] as? String == "tests-passed")
        #expect(line["from_version"] as? Int == 1)
        let source = git("show", "skein/plays-v4:Sources/App/PlayEvent.swift", in: world.mirror("behind"))
        #expect(source.contains("let track_ref: String"))
        #expect(source.contains("let ms_played: Int64"))
        #expect(source.contains("event.track_ref"))
        #expect(source.contains("\"gs://listening-data/plays/v4\""))
        let config = git("show", "skein/plays-v4:config/plays.yaml", in: world.mirror("behind"))
        #expect(config == """
            datasets:
              plays:
                location: gs://listening-data/plays/v4   # where rows are read
                version: 4
                partition_by: track_ref
            """)
        let status = skein(["status", "--mirrors", world.mirrors, "--json"])
        #expect(status.stdout.contains("\"from_version\": 1") || status.stdout.contains("\"from_version\":1"), "\(status.stdout)")
        let message = git("log", "-1", "--format=%B", "skein/plays-v4", in: world.mirror("behind"))
        #expect(message.contains("renameField plays: track_id → track_ref  (from v1)"), "\(message)")
    }

    @Test func anUndeclaredConsumerOnVersionOneIsDiscovered() throws {
        var files = Self.consumer(track: "track_id", msType: "Int32", location: 1)
        // Only the v1 location tells: no descriptor, no dataset id, no record name.
        files["catalog-info.yaml"] = nil
        files["config/plays.yaml"] = nil
        files["Sources/App/PlayEvent.swift"] = files["Sources/App/PlayEvent.swift"]!.replacingOccurrences(of: "PlayEvent", with: "Row")
        let world = World(consumers: ["quiet": files])
        let found = skein(["discover", "--registry", world.registry, "--mirrors", world.mirrors, "plays", "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [String: Any]
        let consumers = ((json?["datasets"] as? [[String: Any]])?.first?["consumers"] as? [[String: Any]]) ?? []
        #expect(consumers.first?["repo"] as? String == "quiet", "\(found.stdout)\n\(found.stderr)")
        #expect(consumers.first?["declared"] as? Bool == false)
        #expect(world.run().status == 0)
        #expect(world.ledger("quiet", "plays-v4").last?["from_version"] as? Int == 1)
    }

    @Test func aRetiredNameReusedForAnotherFieldIsReportedAndLeft() throws {
        var versions = Self.versions
        versions[3] = Self.plays(4, fields: """
              - { name: track_uri, type: string }
              - { name: ms_played, type: int64 }
              - { name: track_id, type: int64 }
            """)
        // `current` uses v4's names, track_id among them: it means the new field, and is left alone.
        var current = Self.consumer(track: "track_uri", msType: "Int64", location: 4)
        current["Sources/App/Current.swift"] = "struct Extra: Codable { let track_id: Int64 }\nfunc id(_ row: PlayEvent, _ extra: Extra) -> Int64 { extra.track_id }\n"
        current["Sources/App/PlayEvent.swift"] = current["Sources/App/PlayEvent.swift"]!
            .replacingOccurrences(of: "let ms_played: Int64", with: "let ms_played: Int64\n    let track_id: Int64")
        current["config/plays.yaml"] = current["config/plays.yaml"]! + "\n    order_by: track_id\n"
        let world = World(versions: versions, consumers: [
            "behind": Self.consumer(track: "track_id", msType: "Int32", location: 1), "current": current,
        ])
        let result = world.run()
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        let line = try #require(world.ledger("behind", "plays-v4").last)
        #expect(line["status"] as? String == "needs-human")
        #expect(line["from_version"] as? Int == 1)
        let attention = line["attention"] as? [String] ?? []
        #expect(attention.contains { $0.hasPrefix("Sources/App/PlayEvent.swift:3:") && $0.contains("plays.track_id") }, "\(attention)")
        #expect(attention.contains { $0.hasPrefix("config/plays.yaml:5:") && $0.contains("retired") && !$0.contains("removed") }, "\(attention)")
        // The other names still move; the reused one is left as it was.
        let source = git("show", "skein/plays-v4:Sources/App/PlayEvent.swift", in: world.mirror("behind"))
        #expect(source.contains("let track_id: String"))
        #expect(source.contains("\"gs://listening-data/plays/v4\""))
        #expect(world.ledger("current", "plays-v4").last?["status"] as? String == "not-affected")
    }

    @Test func aMergedConsumerStaysMergedAfterSyncAndRun() throws {
        let world = World(consumers: [
            "merged": Self.consumer(track: "track_uri", msType: "Int64", location: 3),
            "current": Self.consumer(track: "track_ref", msType: "Int64", location: 4),
        ])
        #expect(world.run().status == 0)
        #expect(world.ledger("current", "plays-v4").last?["status"] as? String == "not-affected")
        // The owner merges the branch upstream; the mirror learns of it.
        let upstream = world.upstream("merged")
        git("fetch", "-q", world.mirror("merged"), "skein/plays-v4", in: upstream)
        git("merge", "-q", "--ff-only", "FETCH_HEAD", in: upstream)
        #expect(skein(["mirror", "sync", "--mirrors", world.mirrors]).status == 0)
        #expect(world.status("merged", "plays-v4") == "merged")

        let again = world.run()
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(world.status("merged", "plays-v4") == "merged")
        #expect(!world.ledger("merged", "plays-v4").contains { $0["status"] as? String == "needs-human" })
        // A consumer already on the current names is never work.
        #expect(world.status("current", "plays-v4") == "not-affected")
    }
}
