import Foundation
import Testing
import TestSupport

/// A registry made by the fixture script (v1, then the plays v2 commit).
func fixtureRegistry(_ directory: TemporaryDirectory) -> String {
    let made = runProgram("bash", [fixturePath("make-fleet.sh"), directory.url("fleet")])
    precondition(made.status == 0, made.stderr)
    return directory.url("fleet/registry")
}

func parseJSON(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}

@Suite struct PlanCommandTests {
    @Test func plansTheHeadCommitAsJSON() throws {
        let directory = TemporaryDirectory()
        let registry = fixtureRegistry(directory)
        let result = skein(["plan", "--registry", registry, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(parseJSON(result.stdout))
        let migrations = try #require(json["migrations"] as? [[String: Any]])
        #expect(migrations.count == 1)
        #expect(migrations[0]["id"] as? String == "plays-v2")
        #expect(migrations[0]["schema_commit"] as? String == git("rev-parse", "HEAD", in: registry))
        #expect(migrations[0]["datasets"] as? [String] == ["plays"])
        let changes = try #require(migrations[0]["changes"] as? [[String: Any]])
        #expect(changes.map { $0["kind"] as? String } == ["moveLocation", "bumpVersion", "renameField", "changeFieldType", "removeField"])
        #expect(changes[2]["dataset"] as? String == "plays")
        #expect(changes[2]["from"] as? String == "track_id")
        #expect(changes[2]["to"] as? String == "track_uri")
        #expect(changes[1]["from"] as? Int == 1)
        // Keys keep the contract's order.
        #expect(result.stdout.range(of: "\"id\"")!.lowerBound < result.stdout.range(of: "\"schema_commit\"")!.lowerBound)
    }

    @Test func printsATableAndPlansRanges() {
        let directory = TemporaryDirectory()
        let registry = fixtureRegistry(directory)
        let table = skein(["plan", "--registry", registry])
        #expect(table.status == 0)
        #expect(table.stdout.contains("plays-v2"))
        #expect(table.stdout.contains("renameField plays: track_id → track_uri"))
        let first = skein(["plan", "--registry", registry, "--commit", "HEAD~1"])
        #expect(first.stdout.contains("nothing to migrate"))
        #expect(first.stdout.contains("note: datasets/plays.yaml: new dataset `plays`"))
        let range = skein(["plan", "--registry", registry, "--commit", "HEAD~1..HEAD", "--json"])
        #expect(range.status == 0)
        #expect((parseJSON(range.stdout)?["migrations"] as? [Any])?.count == 1)
    }

    @Test func aMalformedDatasetIsExitTwoNamingFileAndLine() {
        let directory = TemporaryDirectory()
        let registry = fixtureRegistry(directory)
        let plays = try! String(contentsOfFile: registry + "/datasets/plays.yaml", encoding: .utf8)
        commit(files: ["datasets/plays.yaml": plays.replacingOccurrences(of: "type: int64", with: "type: long")],
               in: registry, message: "typo")
        let result = skein(["plan", "--registry", registry])
        #expect(result.status == 2)
        #expect(result.stderr.contains("datasets/plays.yaml:15: unknown field type `long`"))
    }

    @Test func explicitMigrationFiles() {
        let directory = TemporaryDirectory()
        let registry = fixtureRegistry(directory)
        let good = directory.write("client.yaml", """
            id: plays-client-v3
            datasets: [plays]
            rules:
              - renameType: { from: PlaysClient, to: ListeningClient }
              - configSet: { files: "config/**/*.yaml", path: datasets.plays.format, value: parquet }
            """)
        let result = skein(["plan", "--registry", registry, "--migration", good, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let migration = (parseJSON(result.stdout)?["migrations"] as? [[String: Any]])?.first
        #expect(migration?["id"] as? String == "plays-client-v3")
        let changes = migration?["changes"] as? [[String: Any]]
        #expect(changes?.first?["kind"] as? String == "renameType")
        #expect(changes?.last?["value"] as? String == "parquet")

        let bad = directory.write("bad.yaml", "id: x\ndatasets: [plays]\nrules:\n  - renameTyp: { from: A, to: B }\n")
        let refused = skein(["plan", "--registry", registry, "--migration", bad])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bad.yaml:4: unknown rule `renameTyp`"))
        #expect(skein(["plan", "--registry", registry, "--migration", bad, "--commit", "HEAD"]).status == 2)
        #expect(skein(["plan", "--registry", directory.url("nowhere")]).status == 2)
    }
}
