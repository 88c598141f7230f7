import Foundation
@testable import Rewrite
import SkeinBasics
import Testing
import TestSupport

/// Single behaviours of the config rewrites, one small file each.
@Suite struct ConfigRewriterTests {
    @Test func locationMatchesOnlyOnAPathBoundary() {
        let input = "a: gs://listening-data/plays/v1\nb: gs://listening-data/plays/v10\nc: gs://listening-data/plays/v1/x\nd: xgs://listening-data/plays/v1\n"
        #expect(rewritten("c.yaml", input).0 == "a: gs://listening-data/plays/v2\nb: gs://listening-data/plays/v10\nc: gs://listening-data/plays/v2/x\nd: xgs://listening-data/plays/v1\n")
    }

    @Test func versionChangesOnlyInTheDatasetsOwnMapping() {
        let input = """
            plays: {version: 1}
            other: {version: 1}
            inputs:
              - name: plays
                schema_version: "v1"
              - dataset: users
                schema_version: 1
              - path: gs://listening-data/plays/v1/daily
                version: 1
            plays_v1:
              version: 1

            """
        let expected = """
            plays: {version: 2}
            other: {version: 1}
            inputs:
              - name: plays
                schema_version: "v2"
              - dataset: users
                schema_version: 1
              - path: gs://listening-data/plays/v2/daily
                version: 2
            plays_v2:
              version: 2

            """
        let (output, result) = rewritten("c.yaml", input)
        #expect(output == expected)
        #expect(result.counts["bumpVersion plays: 1 → 2"] == 5)
    }

    @Test func flatVersionKeysInEnvAndProperties() {
        #expect(rewritten(".env", "PLAYS_VERSION=1\nUSERS_VERSION=1\nPLAYS_SCHEMA_VERSION=\"1\"\n").0
            == "PLAYS_VERSION=2\nUSERS_VERSION=1\nPLAYS_SCHEMA_VERSION=\"2\"\n")
        #expect(rewritten("a.properties", "plays.version=1\nusers.version=1\n").0 == "plays.version=2\nusers.version=1\n")
    }

    @Test func removedFieldInConfigNeedsAPersonButNotInSampleRows() {
        let (output, result) = rewritten("c.yaml", "schema:\n  user_id: string\n  track_id: string\n  client_version: string\n")
        #expect(output == "schema:\n  user_id: string\n  track_uri: string\n  client_version: string\n")
        #expect(result.attention.map(\.description) == ["c.yaml:4: key 'client_version' names a field removed from plays (removeField plays.client_version)"])
        let (_, rows) = rewritten("rows.jsonl", #"{"user_id": "u", "client_version": "1"}"# + "\n")
        #expect(rows.attention.isEmpty)
        #expect(rows.edits.isEmpty)
    }

    @Test func aSingleFieldIsRenamedOnlyInTheDatasetsOwnSettings() {
        let input = "datasets:\n  plays:\n    partition_by: track_id\n    drop: client_version\nsort_by: track_id\n"
        let (output, result) = rewritten("c.yaml", input)
        #expect(output == "datasets:\n  plays:\n    partition_by: track_uri\n    drop: client_version\nsort_by: track_id\n")
        #expect(result.attention.map(\.description) == ["c.yaml:4: 'drop: client_version' names a field removed from plays (removeField plays.client_version)"])
    }

    @Test func datasetRenameChangesKeysIdsAndNames() {
        let input = """
            metadata: {name: plays}
            datasets:
              plays:   # keep this comment
                version: 1
            inputs: [{dataset: plays, table: plays_v1}, {name: plays, path: "gs://listening-data/plays/v1"}]

            """
        let expected = """
            metadata: {name: plays}
            datasets:
              listens:   # keep this comment
                version: 2
            inputs: [{dataset: listens, table: listens_v2}, {name: listens, path: "gs://listening-data/plays/v2"}]

            """
        let (output, result) = rewritten("catalog-info.yaml", input, renamePlaysMigration())
        #expect(output == expected)
        #expect(result.attention.isEmpty)
    }

    @Test func blockScalarsAndMultiLineScalarsAreRefusedWithAReason() {
        let input = "a: >\n  gs://listening-data/plays/v1\nb: gs://listening-data/plays/v1\nc: gs://listening-data/plays/v1\n  continued\n"
        let (output, result) = rewritten("c.yaml", input)
        #expect(output == "a: >\n  gs://listening-data/plays/v1\nb: gs://listening-data/plays/v2\nc: gs://listening-data/plays/v1\n  continued\n")
        #expect(result.attention.count == 0)  // neither `a` (folded, with a final newline) nor `c` is the location
        let refused = rewritten("c.yaml", "a: >-\n  gs://listening-data/plays/v1\n").1
        #expect(refused.attention.map(\.description) == ["c.yaml:1: value 'gs://listening-data/plays/v1' should become 'gs://listening-data/plays/v2' but was not rewritten: a block scalar (| or >)"])
        #expect(refused.edits.isEmpty)
        #expect(refused.referencesFound == 1)
    }

    @Test func anEditThatWouldNotReadBackIsRefused() throws {
        let text = "a: 1\nb: 2\n"
        let bytes = Array(text.utf8)
        let format = YAMLFormat()
        let documents = try format.parse(bytes)
        let a = documents[0].mapping!.entries[0].value.scalar!
        let b = documents[0].mapping!.entries[1].value.scalar!
        // Writing `b: 3` into `a`'s span claims a value the file will not hold.
        let bad = PlannedEdit(splices: [(a.spans[0], "x\nb: 3")], effect: .setValue(id: a.id, value: "x", kind: .string),
                              changes: [], line: 1, what: "bad")
        let good = PlannedEdit(splices: [(b.spans[0], "5")], effect: .setValue(id: b.id, value: "5", kind: .integer),
                               changes: [], line: 2, what: "good")
        let (output, applied, refused) = ConfigRewriter.splice(bytes, documents, [bad, good], format)
        #expect(output == "a: 1\nb: 5\n")
        #expect(applied.map(\.what) == ["good"])
        #expect(refused.map(\.0.what) == ["bad"])
    }

    @Test func configRulesOnFlowMappingsAndMissingPaths() {
        let migration = playsV2Migration(extra: [
            .configSet(files: "**/*.yaml", path: "datasets.plays.format", value: .string("parquet")),
            .configDelete(files: "**/*.yaml", path: "datasets.plays.legacy"),
            .configSet(files: "**/*.yaml", path: "nowhere.at.all", value: .integer(1)),
        ])
        let (output, result) = rewritten("conf/c.yaml", "datasets:\n  plays: {legacy: true, format: avro}\n", migration)
        #expect(output == "datasets:\n  plays: {legacy: true, format: parquet}\n")
        #expect(result.attention.map(\.description) == ["conf/c.yaml:2: cannot delete datasets.plays.legacy: in a flow mapping"])
        // Files outside the glob are left alone.
        #expect(rewritten("c.json", #"{"datasets": {"plays": {"legacy": true}}}"#, migration).1.edits.isEmpty)
    }

    @Test func configSetWritesTypedValues() {
        let migration = playsV2Migration(extra: [
            .configSet(files: "*.json", path: "a.n", value: .integer(7)),
            .configSet(files: "*.json", path: "a.f", value: .bool(true)),
            .configSet(files: "*.json", path: "a.s", value: .string("x\"y")),
        ])
        let (output, result) = rewritten("c.json", "{\"a\": {\"n\": \"7\", \"f\": false, \"s\": null}}", migration)
        #expect(output == "{\"a\": {\"n\": 7, \"f\": true, \"s\": \"x\\\"y\"}}")
        #expect(result.counts.values.reduce(0, +) == 3)
    }

    @Test func replaceStringMatchesExactValuesAndPathPrefixes() {
        let migration = playsV2Migration(extra: [.replaceString(from: "gs://old-bucket/plays", to: "bq://listening.plays")])
        let input = "a = \"gs://old-bucket/plays\"\nb = 'gs://old-bucket/plays/2024'\nc = \"gs://old-bucket/playsx\"\n"
        #expect(rewritten("c.toml", input, migration).0
            == "a = \"bq://listening.plays\"\nb = 'bq://listening.plays/2024'\nc = \"gs://old-bucket/playsx\"\n")
    }

    @Test func tomlTableHeadersRenameEverywhere() {
        let input = "[plays]\nversion = 1\n\n[plays.extra]\nx = 1\n\n[[plays.inputs]]\npath = \"gs://listening-data/plays/v1\"\n"
        let (output, result) = rewritten("c.toml", input, renamePlaysMigration())
        #expect(output == "[listens]\nversion = 2\n\n[listens.extra]\nx = 1\n\n[[listens.inputs]]\npath = \"gs://listening-data/plays/v2\"\n")
        #expect(result.attention.isEmpty)
    }

    @Test func csvHeaderKeepsQuotingAndData() {
        let input = "user_id,\"track_id\",ms_played\r\nu1,\"track_id\",3\r\n"
        #expect(rewritten("s.csv", input).0 == "user_id,\"track_uri\",ms_played\r\nu1,\"track_id\",3\r\n")
        // A header covering a single field of the dataset is not the dataset's.
        #expect(rewritten("s.csv", "track_id,name\n").1.edits.isEmpty)
    }

    @Test func nothingToDoLeavesNoEdit() {
        let result = ConfigRewriter(migration: playsV2Migration()).rewrite(SourceFile(path: "c.yaml", text: "unrelated: true\n"))
        #expect(result.edits.isEmpty && result.attention.isEmpty && result.referencesFound == 0)
    }

    @Test func configSetFillsAnEmptyYAMLValue() {
        let migration = playsV2Migration(extra: [.configSet(files: "*.yaml", path: "datasets.plays.format", value: .string("parquet"))])
        let (output, result) = rewritten("c.yaml", "datasets:\n  plays:\n    format:   # set me\n    other: 1\n", migration)
        #expect(output == "datasets:\n  plays:\n    format: parquet   # set me\n    other: 1\n")
        #expect(result.attention.isEmpty)
    }
}
