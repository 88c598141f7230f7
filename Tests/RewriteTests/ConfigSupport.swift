import Foundation
@testable import Rewrite
import SkeinBasics
import TestSupport

/// The bundled fleet's schema change: plays v1 → v2 renames track_id → track_uri, widens
/// ms_played, drops client_version and moves the data to .../v2.
func playsV2Migration(extra: [Change] = []) -> Migration {
    let v1 = DatasetSpec(
        name: "plays", version: 1, location: "gs://listening-data/plays/v1", record: "PlayEvent",
        fields: [
            FieldSpec(name: "user_id", column: ColumnType(.string)),
            FieldSpec(name: "track_id", column: ColumnType(.string)),
            FieldSpec(name: "ms_played", column: ColumnType(.int32)),
            FieldSpec(name: "context", column: ColumnType(.string, nullable: true)),
            FieldSpec(name: "client_version", column: ColumnType(.string)),
        ])
    let v2 = DatasetSpec(
        name: "plays", version: 2, location: "gs://listening-data/plays/v2", record: "PlayEvent",
        fields: [
            FieldSpec(name: "user_id", column: ColumnType(.string)),
            FieldSpec(name: "track_uri", column: ColumnType(.string), previously: "track_id"),
            FieldSpec(name: "ms_played", column: ColumnType(.int64)),
            FieldSpec(name: "context", column: ColumnType(.string, nullable: true)),
        ])
    let changes: [Change] = [
        .renameField(dataset: "plays", from: "track_id", to: "track_uri"),
        .changeFieldType(dataset: "plays", field: "ms_played", from: ColumnType(.int32), to: ColumnType(.int64)),
        .removeField(dataset: "plays", field: "client_version"),
        .moveLocation(dataset: "plays", from: "gs://listening-data/plays/v1", to: "gs://listening-data/plays/v2"),
        .bumpVersion(dataset: "plays", from: 1, to: 2),
    ]
    return Migration(id: "plays-v2", schemaCommit: String(repeating: "0", count: 40), datasets: ["plays"],
                     changes: changes + extra, transitions: [DatasetTransition(old: v1, new: v2)])
}

/// A migration renaming dataset `plays` to `listens` (and bumping its version).
func renamePlaysMigration() -> Migration {
    var migration = playsV2Migration(extra: [.renameDataset(from: "plays", to: "listens")])
    migration.transitions[0].new.name = "listens"
    migration.transitions[0].new.previousName = "plays"
    return migration
}

func readFixture(_ relative: String) -> String {
    try! String(contentsOfFile: fixturePath(relative), encoding: .utf8)
}

/// Rewrites one file and returns its new text (the old one when nothing changed).
func rewritten(_ path: String, _ text: String, _ migration: Migration = playsV2Migration()) -> (String, RewriteResult) {
    let result = ConfigRewriter(migration: migration).rewrite(SourceFile(path: path, text: text))
    return (result.edits.first?.newText ?? text, result)
}
