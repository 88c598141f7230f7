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
}
