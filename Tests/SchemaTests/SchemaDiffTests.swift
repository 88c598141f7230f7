import Schema
import SkeinBasics
import Testing
import TestSupport
import Foundation

@Suite struct SchemaDiffTests {
    func spec(_ text: String) throws -> DatasetSpec { try DatasetFile.parse(text, path: "datasets/plays.yaml") }

    let v1 = """
        name: plays
        version: 1
        location: gs://listening-data/plays/v1
        fields:
          - { name: user_id, type: string }
          - { name: track_id, type: string }
          - { name: ms_played, type: int32 }
          - { name: client_version, type: string }
        """

    @Test func everyKindOfChangeInOneCommit() throws {
        let v2 = """
            name: plays
            version: 2
            location: gs://listening-data/plays/v2
            fields:
              - { name: user_id, type: string, nullable: true }
              - { name: track_uri, type: string, previously: track_id }
              - { name: ms_played, type: int64 }
              - { name: country, type: string }
            """
        let changes = SchemaDiff.changes(old: try spec(v1), new: try spec(v2))
        #expect(changes == [
            .moveLocation(dataset: "plays", from: "gs://listening-data/plays/v1", to: "gs://listening-data/plays/v2"),
            .bumpVersion(dataset: "plays", from: 1, to: 2),
            .renameField(dataset: "plays", from: "track_id", to: "track_uri"),
            .changeFieldType(dataset: "plays", field: "user_id", from: ColumnType(.string), to: ColumnType(.string, nullable: true)),
            .changeFieldType(dataset: "plays", field: "ms_played", from: ColumnType(.int32), to: ColumnType(.int64)),
            .removeField(dataset: "plays", field: "client_version"),
            .addField(dataset: "plays", field: "country", type: ColumnType(.string)),
        ])
    }

    @Test func aRenamePlusATypeChangeGivesBoth() throws {
        let v2 = """
            name: plays
            version: 2
            location: gs://listening-data/plays/v1
            fields:
              - { name: user_id, type: string }
              - { name: track_id, type: string }
              - { name: duration_ms, type: int64, previously: ms_played }
              - { name: client_version, type: string }
            """
        #expect(SchemaDiff.changes(old: try spec(v1), new: try spec(v2)) == [
            .bumpVersion(dataset: "plays", from: 1, to: 2),
            .renameField(dataset: "plays", from: "ms_played", to: "duration_ms"),
            .changeFieldType(dataset: "plays", field: "duration_ms", from: ColumnType(.int32), to: ColumnType(.int64)),
        ])
    }

    @Test func aDatasetRename() throws {
        let v2 = """
            name: listens
            previously: plays
            version: 2
            location: gs://listening-data/plays/v1
            fields:
              - { name: user_id, type: string }
              - { name: track_id, type: string }
              - { name: ms_played, type: int32 }
              - { name: client_version, type: string }
            """
        #expect(SchemaDiff.changes(old: try spec(v1), new: try spec(v2)) == [
            .renameDataset(from: "plays", to: "listens"),
            .bumpVersion(dataset: "listens", from: 1, to: 2),
        ])
    }

    @Test func nothingChangedGivesNothing() throws {
        #expect(SchemaDiff.changes(old: try spec(v1), new: try spec(v1 + "\nowner: someone-else")).isEmpty)
    }

    @Test func theFixtureChange() throws {
        let old = try DatasetFile.parse(
            String(contentsOfFile: fixturePath("fleet/registry/v1/datasets/plays.yaml"), encoding: .utf8), path: "datasets/plays.yaml")
        let new = try DatasetFile.parse(
            String(contentsOfFile: fixturePath("fleet/registry/v2/datasets/plays.yaml"), encoding: .utf8), path: "datasets/plays.yaml")
        #expect(SchemaDiff.changes(old: old, new: new).map(\.kind) == [
            "moveLocation", "bumpVersion", "renameField", "changeFieldType", "removeField",
        ])
    }
}
