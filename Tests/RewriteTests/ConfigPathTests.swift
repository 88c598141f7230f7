import Foundation
@testable import Rewrite
import SkeinBasics
import Testing

/// A rule's `path`: dots separate keys, a quoted key holds dots, and a dotted path never matches a
/// key that holds dots (SPEC section 4).
@Suite struct ConfigPathTests {
    func migration(_ changes: [Change]) -> Migration {
        Migration(id: "m", schemaCommit: String(repeating: "0", count: 40), datasets: ["plays"], changes: changes, transitions: [])
    }

    func set(_ path: String, _ value: ConfigValue = .integer(9), in file: String, _ text: String) -> (String, RewriteResult) {
        rewritten(file, text, migration([.configSet(files: "**/*", path: path, value: value)]))
    }

    @Test func pathSyntax() {
        #expect(ConfigPath.keys("a.b") == ["a", "b"])
        #expect(ConfigPath.keys(#"a."b.c""#) == ["a", "b.c"])
        #expect(ConfigPath.keys("a.'b.c'.d") == ["a", "b.c", "d"])
        #expect(ConfigPath.keys(#""x\"y".z"#) == [#"x"y"#, "z"])
        #expect(ConfigPath.keys(#""""#) == [""])
        for bad in ["", "a..b", ".a", "a.", #"a."b"#, #"a."b"c"#] { #expect(ConfigPath.keys(bad) == nil, "\(bad)") }
        for keys in [["a", "b.c"], [#"x"y"#], [""], ["'q", "r"]] { #expect(ConfigPath.keys(ConfigPath.path(keys)) == keys) }
    }

    @Test func dottedPathTakesTheNestedKeyNotTheDottedOne() {
        #expect(set("a.b", in: "c.json", #"{"a": {"b": 1}, "a.b": 2}"#).0 == #"{"a": {"b": 9}, "a.b": 2}"#)
        #expect(set(#""a.b""#, in: "c.json", #"{"a": {"b": 1}, "a.b": 2}"#).0 == #"{"a": {"b": 1}, "a.b": 9}"#)
        #expect(set("a.b", in: "c.yaml", "a.b: 2\na:\n  b: 1\n").0 == "a.b: 2\na:\n  b: 9\n")
        #expect(set(#"'a.b'"#, in: "c.yaml", "a.b: 2\na:\n  b: 1\n").0 == "a.b: 9\na:\n  b: 1\n")
        // Only a dotted key: the dotted path does not match it, and adds nothing deeper either.
        let (output, _) = set("a.b", in: "c.json", #"{"a.b": 2}"#)
        #expect(output == #"{"a.b": 2}"#)
    }

    @Test func tomlDottedKeysAndTablesAreTheNestedPathTheySpell() {
        #expect(set("a.b", in: "c.toml", "\"a.b\" = 1\na.b = 2\n").0 == "\"a.b\" = 1\na.b = 9\n")
        #expect(set(#""a.b""#, in: "c.toml", "\"a.b\" = 1\na.b = 2\n").0 == "\"a.b\" = 9\na.b = 2\n")
        let tables = "[a.\"b.c\"]\nd = 1\n[a.b.c]\nd = 2\n"
        #expect(set(#"a."b.c".d"#, in: "c.toml", tables).0 == "[a.\"b.c\"]\nd = 9\n[a.b.c]\nd = 2\n")
        #expect(set("a.b.c.d", in: "c.toml", tables).0 == "[a.\"b.c\"]\nd = 1\n[a.b.c]\nd = 9\n")
    }

    @Test func aQuotedKeyHoldsDots() {
        // `path: [a, "b.c"]` in a rule file reads as this path (SchemaTests check the reading).
        let changes: [Change] = [.configSet(files: "*.json", path: #"a."b.c""#, value: .integer(3)), .configDelete(files: "*.json", path: "x.1")]
        let (output, _) = rewritten("c.json", #"{"a": {"b": {"c": 1}, "b.c": 1}, "x": {"1": 0, "2": 0}}"#, migration(changes))
        #expect(output == #"{"a": {"b": {"c": 1}, "b.c": 3}, "x": {"2": 0}}"#)
    }

    @Test func propertiesRenamesNeverCrossADottedKey() {
        let rename: (String, String, String) -> String = { path, to, text in
            rewritten("a.properties", text, self.migration([.configRenameKey(files: "**/*", path: path, to: to)])).0
        }
        // Nested: the last component is renamed in every key under it.
        #expect(rename("report.source", "origin", "report.source=x\nreport.sink=y\n") == "report.origin=x\nreport.sink=y\n")
        // Flat (a key ending in a dot): a key is the whole path; only its last part changes.
        #expect(rename("report.source", "origin", "report.=z\nreport.source=x\n") == "report.=z\nreport.origin=x\n")
        #expect(rename("report", "r", "report.=z\nreport.source=x\n") == "report.=z\nreport.source=x\n")
        #expect(rename("a.b", "c", "a=1\na.b=2\n") == "a=1\na.c=2\n")
    }

    @Test func deletingTheOnlyEntryOfAMappingLeavesItEmptyNotNull() {
        let delete: (String, String) -> String = { path, text in
            rewritten("c.yaml", text, self.migration([.configDelete(files: "**/*", path: path)])).0
        }
        #expect(delete("datasets.plays.legacy", "datasets:\n  plays:\n    legacy: true\n  users: {}\n")
            == "datasets:\n  plays:\n    {}\n  users: {}\n")
        #expect(delete("legacy", "# settings\nlegacy: true\n") == "# settings\n{}\n")
        #expect(delete("legacy", "legacy: true") == "{}")
    }

    @Test func propertiesKeysReadTheirEscapes() {
        // `\u0041` is `A`: the path names the key as it reads, and a key written with escapes
        // keeps the whole file flat.
        let migration = migration([.configSet(files: "**/*", path: "A b", value: .integer(2))])
        #expect(rewritten("a.properties", "\\u0041\\ b=1\nc.d=3\n", migration).0 == "\\u0041\\ b=2\nc.d=3\n")
    }

    @Test func flatFormatsTakeScalarsAsText() {
        #expect(set("plays.port", .integer(4242), in: "a.properties", "plays.port=80\n").0 == "plays.port=4242\n")
        #expect(set("plays.on", .bool(true), in: "a.properties", "plays.on=false\n").0 == "plays.on=true\n")
        #expect(set("PORT", .integer(4242), in: ".env", "PORT=80\n").0 == "PORT=4242\n")
        #expect(set("ON", .bool(true), in: ".env", "ON=\"no\"\n").0 == "ON=\"true\"\n")
        #expect(set("RATE", .double(0.5), in: ".env", "RATE=1\n").0 == "RATE=0.5\n")
        #expect(set("NEW", .integer(1), in: ".env", "A=1\n").0 == "A=1\nNEW=1\n")
    }

    @Test func envValuesQuotedOverSeveralLinesLeaveTheRestEditable() {
        let (output, result) = set("C", .string("new"), in: ".env", "A=1\nB=\"x\ny\"\nC=old\n")
        #expect(output == "A=1\nB=\"x\ny\"\nC=new\n")
        #expect(result.attention.isEmpty)
        let (same, refused) = set("B", .string("new"), in: ".env", "A=1\nB=\"x\ny\"\nC=old\n")
        #expect(same == "A=1\nB=\"x\ny\"\nC=old\n")
        #expect(refused.attention.map(\.description) == [".env:2: B 'x\ny' should become 'new' but was not rewritten: a quoted value over several lines"])
    }
}
