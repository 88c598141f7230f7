import Foundation
import SkeinBasics
import TestSupport
import Testing
@testable import Rewrite

/// Behaviour of the Swift rewriter across the files of one repo.
struct SwiftRewriterTests {
    func migration(_ changes: [Change], fields: [String] = [], record: String? = nil) -> Migration {
        let old = DatasetSpec(name: "plays", version: 1, location: "gs://listening-data/plays/v1", record: record,
                              fields: fields.map { FieldSpec(name: $0, column: ColumnType(.string)) })
        return Migration(id: "plays-v2", schemaCommit: "", datasets: ["plays"], changes: changes,
                         transitions: [DatasetTransition(old: old, new: old)])
    }

    @Test func resolvesTypesDeclaredInOtherFiles() {
        let files = [
            SourceFile(path: "Sources/App/Model.swift", text: """
                struct PlayEvent: Codable { var user_id: String; var track_id: String }
                struct Listening { var events: [PlayEvent]; var owner: Owner }
                """),
            // Declares `Owner` but contains no relevant name: parsed only on demand.
            SourceFile(path: "Sources/App/Owner.swift", text: "struct Owner { var latest: PlayEvent? }\n"),
            SourceFile(path: "Sources/App/Use.swift", text: """
                func ids(_ listening: Listening) -> [String] {
                    let first = listening.owner.latest?.track_id
                    return listening.events.compactMap { $0.track_id } + [first ?? ""]
                }
                """),
        ]
        let result = SwiftRewriter(migration: migration([.renameField(dataset: "plays", from: "track_id", to: "track_uri")],
                                                        fields: ["user_id", "track_id"])).rewrite(files)
        let use = result.edits.first { $0.path == "Sources/App/Use.swift" }?.newText ?? ""
        #expect(use.contains("latest?.track_uri"))
        #expect(use.contains("$0.track_uri"))
        #expect(result.attention.isEmpty, "\(result.attention)")
        #expect(result.counts["renameField plays: track_id → track_uri"] == 3)
        #expect(!result.edits.contains { $0.path == "Sources/App/Owner.swift" })
    }

    @Test func fileThatDoesNotParseIsReportedNotEdited() {
        let files = [SourceFile(path: "Broken.swift", text: "let client: PlaysClient = PlaysClient(\nfunc {\n")]
        let result = SwiftRewriter(migration: migration([.renameType(from: "PlaysClient", to: "ListeningClient")])).rewrite(files)
        #expect(result.edits.isEmpty)
        #expect(result.skipped.map(\.path) == ["Broken.swift"])
        #expect(result.attention.map(\.location.path) == ["Broken.swift"])
        #expect(result.referencesFound > 0)
    }

    @Test func untouchedFilesAreNotEditedAndTriviaIsKept() {
        let text = "/* PlaysClient */\nlet  client :PlaysClient   =   PlaysClient( ) // PlaysClient\n"
        let files = [SourceFile(path: "A.swift", text: text), SourceFile(path: "B.swift", text: "let x = 1\n")]
        let result = SwiftRewriter(migration: migration([.renameType(from: "PlaysClient", to: "ListeningClient")])).rewrite(files)
        #expect(result.edits == [FileEdit(path: "A.swift",
                                          newText: "/* PlaysClient */\nlet  client :ListeningClient   =   ListeningClient( ) // PlaysClient\n")])
    }

    @Test func undecidableReferencesAreReportedAndCountAsFound() {
        let files = [SourceFile(path: "A.swift", text: """
            struct PlaysClient { func fetch() {} }
            func run(_ thing: Any) { (thing as AnyObject).fetch() }
            """)]
        let result = SwiftRewriter(migration: migration([.renameMember(type: "PlaysClient", from: "fetch", to: "fetchPlays", kind: nil)]))
            .rewrite(files)
        #expect(result.attention.map(\.description) == [
            "A.swift:2: cannot tell the type of `(thing as AnyObject)` in `.fetch`; not changed (renameMember PlaysClient.fetch → fetchPlays)",
        ])
        #expect(result.referencesFound == 2)
        #expect(result.edits.first?.newText.contains("func fetchPlays()") == true)
    }

    @Test func migrationWithoutSwiftChangesParsesNothing() {
        let result = SwiftRewriter(migration: migration([.configDelete(files: "*.yaml", path: "a.b")]))
            .rewrite([SourceFile(path: "A.swift", text: "this is not swift {")])
        #expect(result.edits.isEmpty && result.skipped.isEmpty && result.attention.isEmpty)
    }

    @Test func recordHintWinsOverCoverage() {
        let files = [SourceFile(path: "A.swift", text: """
            struct Row: Codable { var track_id: String; var user_id: String }
            struct PlayEvent { var track_id: String }
            """)]
        let result = SwiftRewriter(migration: migration([.renameField(dataset: "plays", from: "track_id", to: "track_uri")],
                                                        fields: ["track_id", "user_id"], record: "PlayEvent")).rewrite(files)
        #expect(result.edits.first?.newText == """
            struct Row: Codable { var track_id: String; var user_id: String }
            struct PlayEvent { var track_uri: String }
            """)
    }
}

/// `renameField` when the repo has no record type for the dataset.
struct SwiftRenameFieldWithoutRecordTests {
    @Test func usesAreReportedWhenNoRecordTypeIsFound() {
        let old = DatasetSpec(name: "plays", version: 1, location: "gs://x/plays", fields: [
            FieldSpec(name: "user_id", column: ColumnType(.string)), FieldSpec(name: "track_id", column: ColumnType(.string)),
        ])
        let migration = Migration(id: "plays-v2", schemaCommit: "", datasets: ["plays"],
                                  changes: [.renameField(dataset: "plays", from: "track_id", to: "track_uri")],
                                  transitions: [DatasetTransition(old: old, new: old)])
        let result = SwiftRewriter(migration: migration).rewrite([SourceFile(path: "A.swift", text: "func f(_ row: Row) -> String { row.track_id }\n")])
        #expect(result.edits.isEmpty)
        #expect(result.attention.map(\.location.line) == [1])
        #expect(result.referencesFound == 1)
    }
}
