import Schema
import SkeinBasics
import Testing
import TestSupport

/// Catch-up (SPEC §3): a migration composes the dataset's whole history.
@Suite struct CatchUpTests {
    func version(_ number: Int, _ fields: String, location: String? = nil) throws -> DatasetSpec {
        try DatasetFile.parse("""
            name: plays
            version: \(number)
            location: \(location ?? "gs://listening-data/plays/v\(number)")
            fields:
            \(fields)
            """, path: "datasets/plays.yaml")
    }

    @Test func renameChainsComposeAndEveryOldLocationGoesToTheCurrentOne() throws {
        let v1 = try version(1, "  - { name: a, type: string }\n  - { name: n, type: int32 }")
        let v2 = try version(2, "  - { name: b, type: string, previously: a }\n  - { name: n, type: int64 }")
        let v3 = try version(3, "  - { name: c, type: string, previously: b }\n  - { name: n, type: int64 }")
        let (changes, origins) = SchemaDiff.catchUp(history: [v1, v2], new: v3)
        #expect(changes == [
            .moveLocation(dataset: "plays", from: "gs://listening-data/plays/v1", to: "gs://listening-data/plays/v3"),
            .moveLocation(dataset: "plays", from: "gs://listening-data/plays/v2", to: "gs://listening-data/plays/v3"),
            .bumpVersion(dataset: "plays", from: 1, to: 3), .bumpVersion(dataset: "plays", from: 2, to: 3),
            .renameField(dataset: "plays", from: "a", to: "c"), .renameField(dataset: "plays", from: "b", to: "c"),
            .changeFieldType(dataset: "plays", field: "n", from: ColumnType(.int32), to: ColumnType(.int64)),
        ])
        #expect(origins[.renameField(dataset: "plays", from: "a", to: "c")] == 1)
        #expect(origins[.renameField(dataset: "plays", from: "b", to: "c")] == 2)
        #expect(origins[.bumpVersion(dataset: "plays", from: 2, to: 3)] == 2)
    }

    @Test func aRetiredNameReusedForAnotherFieldIsNeverARename() throws {
        let v1 = try version(1, "  - { name: track_id, type: string }\n  - { name: user_id, type: string }")
        let v2 = try version(2, "  - { name: track_uri, type: string, previously: track_id }\n  - { name: user_id, type: string }")
        let v3 = try version(3, "  - { name: track_uri, type: string }\n  - { name: user_id, type: string }\n  - { name: track_id, type: int64 }")
        let (changes, origins) = SchemaDiff.catchUp(history: [v1, v2], new: v3)
        #expect(!changes.contains(.renameField(dataset: "plays", from: "track_id", to: "track_uri")))
        #expect(changes.contains(.retiredName(dataset: "plays", field: "track_id")))
        #expect(origins[.retiredName(dataset: "plays", field: "track_id")] == 1)
        #expect(changes.contains(.addField(dataset: "plays", field: "track_id", type: ColumnType(.int64))))
    }

    @Test func aLocationUnderAnotherIsMatchedFirst() throws {
        let v1 = try version(1, "  - { name: a, type: string }", location: "gs://bucket/plays")
        let v2 = try version(2, "  - { name: a, type: string }", location: "gs://bucket/plays/archive")
        let v3 = try version(3, "  - { name: a, type: string }", location: "bq://listening.plays")
        let moves = SchemaDiff.catchUp(history: [v1, v2], new: v3).changes.compactMap { change -> String? in
            if case let .moveLocation(_, from, _) = change { from } else { nil }
        }
        #expect(moves == ["gs://bucket/plays/archive", "gs://bucket/plays"])
    }
}
