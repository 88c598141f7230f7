import Schema
import SkeinBasics
import Testing

/// A config rule's `path` as a rule file writes it: dotted, with quoted keys, or a list of keys.
@Suite struct ConfigPathRuleTests {
    func changes(_ rules: String) throws -> [Change] {
        let text = "id: m\ndatasets: [plays]\nrules:\n" + rules
        return try ExplicitMigration.parse(text, path: "migrations/m.yaml", schemaCommit: String(repeating: "0", count: 40)).changes
    }

    @Test func aListOfKeysReadsAsOnePathWithQuotedKeys() throws {
        let read = try changes("""
              - configSet: { files: "*.json", path: [a, "b.c"], value: 3 }
              - configDelete: { files: "*.json", path: [x, 1] }
              - configRenameKey: { files: "*.json", path: 'a."b.c"', to: d }

            """)
        #expect(read == [
            .configSet(files: "*.json", path: #"a."b.c""#, value: .integer(3)),
            .configDelete(files: "*.json", path: "x.1"),
            .configRenameKey(files: "*.json", path: #"a."b.c""#, to: "d"),
        ])
    }

    @Test func malformedPathsAreRejectedWithTheirLine() {
        for (rule, message) in [
            (#"  - configDelete: { files: "*.json", path: 'a."b' }"#, "quote a key holding a dot"),
            (#"  - configDelete: { files: "*.json", path: [a, [b]] }"#, "must be a single value"),
            (#"  - configDelete: { files: "*.json", path: [] }"#, "at least one key"),
        ] {
            #expect {
                _ = try changes(rule + "\n")
            } throws: { error in
                "\(error)".contains("migrations/m.yaml:4") && "\(error)".contains(message)
            }
        }
    }
}
