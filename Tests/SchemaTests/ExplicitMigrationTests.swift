import Schema
import SkeinBasics
import Testing

@Suite struct ExplicitMigrationTests {
    let example = """
        id: plays-client-v3
        description: Move consumers to the ListeningKit client
        datasets: [plays]
        rules:
          - renameType:   { from: PlaysClient, to: ListeningClient }
          - renameMember: { type: PlaysClient, from: fetch, to: fetchPlays }
          - renameMember: { type: Node.Scalar, from: value, to: text, kind: property }
          - renameModule: { from: PlaysKit, to: ListeningKit }
          - replaceString: { from: "gs://old-bucket/plays", to: "bq://listening.plays" }
          - configSet:    { files: "config/**/*.yaml", path: datasets.plays.format, value: parquet }
          - configSet:    { files: "config/**/*.yaml", path: datasets.plays.shards, value: 8 }
          - configRenameKey: { files: "**/*.json", path: plays.table, to: tableName }
          - configDelete: { files: "**/*.yaml", path: datasets.plays.legacy }
          - run:          { command: "scripts/regenerate.sh" }
        """

    @Test func parsesEveryRuleKind() throws {
        let migration = try ExplicitMigration.parse(example, path: "migrations/plays-client-v3.yaml", schemaCommit: "abc")
        #expect(migration.id == "plays-client-v3")
        #expect(migration.schemaCommit == "abc")
        #expect(migration.description == "Move consumers to the ListeningKit client")
        #expect(migration.datasets == ["plays"])
        #expect(migration.changes == [
            .renameType(from: "PlaysClient", to: "ListeningClient"),
            .renameMember(type: "PlaysClient", from: "fetch", to: "fetchPlays", kind: nil),
            .renameMember(type: "Node.Scalar", from: "value", to: "text", kind: .property),
            .renameModule(from: "PlaysKit", to: "ListeningKit"),
            .replaceString(from: "gs://old-bucket/plays", to: "bq://listening.plays"),
            .configSet(files: "config/**/*.yaml", path: "datasets.plays.format", value: .string("parquet")),
            .configSet(files: "config/**/*.yaml", path: "datasets.plays.shards", value: .integer(8)),
            .configRenameKey(files: "**/*.json", path: "plays.table", to: "tableName"),
            .configDelete(files: "**/*.yaml", path: "datasets.plays.legacy"),
            .run(command: "scripts/regenerate.sh"),
        ])
    }

    @Test func allMeansTheWholeFleet() throws {
        let migration = try ExplicitMigration.parse(
            "id: swift-6\ndatasets: all\nrules:\n  - renameModule: { from: A, to: B }\n", path: "m.yaml", schemaCommit: "")
        #expect(migration.appliesToWholeFleet)
    }

    static let header = "id: m1\ndatasets: [plays]\nrules:\n"
    /// A bad rule (on line 4 unless said otherwise) and what its error must say.
    static let invalid: [(rules: String, line: Int, message: String)] = [
        ("  - renameTypo: { from: A, to: B }\n", 4, "unknown rule `renameTypo`"),
        ("  - renameType: { from: A }\n", 4, "`renameType` needs `to`"),
        ("  - renameType: { from: A, to: B, into: C }\n", 4, "unknown argument `into` for `renameType`"),
        ("  - renameType: { from: [A], to: B }\n", 4, "`from` of `renameType` must be a string"),
        ("  - renameType: { from: 12, to: B }\n", 4, "`from` of `renameType` must be a string"),
        ("  - renameType: { from: Node..Scalar, to: B }\n", 4, "must be a Swift type name"),
        ("  - renameMember: { type: A, from: x, to: y, kind: function }\n", 4, "must be case, property or method"),
        ("  - renameMember: { type: A, from: x-y, to: y }\n", 4, "must be a Swift identifier"),
        ("  - renameModule: { from: A }\n", 4, "needs `to`"),
        ("  - configSet: { files: \"*.yaml\", path: a.b, value: [1, 2] }\n", 4, "must be a single value"),
        ("  - configSet: { files: \"*.yaml\", path: a..b, value: 1 }\n", 4, "keys separated by dots"),
        ("  - configRenameKey: { files: \"*.json\", path: a.b, to: c.d }\n", 4, "without dots"),
        ("  - configDelete: { files: \"*.json\" }\n", 4, "needs `path`"),
        ("  - run: { command: true }\n", 4, "must be a string"),
        ("  - run: echo\n", 4, "must be a mapping"),
        ("  - { renameType: { from: A, to: B }, run: { command: x } }\n", 4, "exactly one rule name"),
        ("  - renameType: { from: A, to: B }\n  - replaceString:\n      from: x\n      to: [y]\n", 7, "`to` of `replaceString` must be a string"),
    ]

    @Test(arguments: 0..<invalid.count) func refusesBadRulesNamingTheLine(index: Int) {
        let bad = Self.invalid[index]
        #expect {
            try ExplicitMigration.parse(Self.header + bad.rules, path: "migrations/m1.yaml", schemaCommit: "")
        } throws: { error in
            guard let error = error as? SchemaError else { return false }
            let ok = error.path == "migrations/m1.yaml" && error.line == bad.line && error.message.contains(bad.message)
            if !ok { Issue.record("got \(error), wanted line \(bad.line): \(bad.message)") }
            return ok
        }
    }

    @Test func refusesMissingOrBadTopLevelKeys() {
        let cases: [(String, Int, String)] = [
            ("datasets: [plays]\nrules: []\n", 1, "missing `id`"),
            ("id: a/b\ndatasets: [plays]\nrules:\n  - run: { command: x }\n", 1, "`id` must be letters"),
            ("id: a\nrules:\n  - run: { command: x }\n", 1, "missing `datasets`"),
            ("id: a\ndatasets: [plays]\nrules: []\n", 3, "at least one rule"),
            ("id: a\ndatasets: [plays]\nrule: []\n", 3, "unknown key `rule`"),
        ]
        for (text, line, message) in cases {
            #expect {
                try ExplicitMigration.parse(text, path: "m.yaml", schemaCommit: "")
            } throws: { error in
                (error as? SchemaError)?.line == line && "\(error)".contains(message)
            }
        }
    }
}
