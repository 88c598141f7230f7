import Foundation
import SkeinBasics
import TestSupport
import Testing
@testable import Rewrite

/// Rewrites of a composed (catch-up) migration on a consumer left on an older version.
struct CatchUpRewriteTests {
    @Test func aFieldRenamedAndRetypedSinceTheConsumersVersionGetsBoth() {
        let v1 = DatasetSpec(name: "plays", version: 1, location: "gs://l/plays/v1", fields: [
            FieldSpec(name: "user_id", column: ColumnType(.string)), FieldSpec(name: "ms", column: ColumnType(.int32)),
        ])
        let v3 = DatasetSpec(name: "plays", version: 3, location: "gs://l/plays/v3", fields: [
            FieldSpec(name: "user_id", column: ColumnType(.string)), FieldSpec(name: "ms_played", column: ColumnType(.int64), previously: "ms"),
        ])
        let changes: [Change] = [
            .renameField(dataset: "plays", from: "ms", to: "ms_played"),
            .changeFieldType(dataset: "plays", field: "ms_played", from: ColumnType(.int32), to: ColumnType(.int64)),
        ]
        let migration = Migration(id: "plays-v3", schemaCommit: "", datasets: ["plays"], changes: changes,
                                  transitions: [DatasetTransition(old: v1, new: v3)])
        let source = SourceFile(path: "Sources/App/Row.swift", text: """
            struct Row: Codable {
                var user_id: String
                var ms: Int32
            }
            func total(_ rows: [Row]) -> Int64 { rows.reduce(0) { $0 + Int64($1.ms) } }
            """)
        let result = SwiftRewriter(migration: migration).rewrite([source])
        let text = result.edits.first?.newText ?? ""
        #expect(text.contains("var ms_played: Int64"), "\(text)")
        #expect(text.contains("Int64($1.ms_played)"))
        #expect(result.attention.isEmpty, "\(result.attention)")
    }

    @Test func aCurrentLocationUnderAnOldOneIsLeftAlone() {
        let v1 = DatasetSpec(name: "plays", version: 1, location: "gs://l/plays", fields: [])
        let v2 = DatasetSpec(name: "plays", version: 2, location: "gs://l/plays/v2", fields: [])
        let migration = Migration(
            id: "plays-v2", schemaCommit: "", datasets: ["plays"],
            changes: [.moveLocation(dataset: "plays", from: "gs://l/plays", to: "gs://l/plays/v2")],
            transitions: [DatasetTransition(old: v1, new: v2)])
        let config = ConfigRewriter(migration: migration).rewrite(SourceFile(
            path: "c.yaml", text: "old: gs://l/plays/daily\ncurrent: gs://l/plays/v2/daily\nexact: gs://l/plays/v2\n"))
        #expect(config.edits.first?.newText == "old: gs://l/plays/v2/daily\ncurrent: gs://l/plays/v2/daily\nexact: gs://l/plays/v2\n")
        let swift = SwiftRewriter(migration: migration).rewrite([SourceFile(
            path: "a.swift", text: "let a = \"gs://l/plays/daily\"\nlet b = \"gs://l/plays/v2/daily\"\n")])
        #expect(swift.edits.first?.newText == "let a = \"gs://l/plays/v2/daily\"\nlet b = \"gs://l/plays/v2/daily\"\n")
    }
}
