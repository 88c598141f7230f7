import Foundation
@testable import Rewrite
import SkeinBasics
import Testing
import TestSupport

/// Hostile config files: each is left as it is with an attention line naming the file and the
/// limit or the problem, and none crashes skein or grows its memory.
@Suite struct ConfigLimitsTests {
    /// A rule that makes every file of a format concern the migration.
    func setRule(_ files: String, _ path: String = "plays.table") -> Migration {
        Migration(id: "m", schemaCommit: String(repeating: "0", count: 40), datasets: ["plays"],
                  changes: [.configSet(files: files, path: path, value: .string("x"))], transitions: [])
    }

    func expectRefused(_ path: String, _ text: String, _ fragment: String, line: Int? = nil) {
        let result = ConfigRewriter(migration: setRule("**/*")).rewrite(SourceFile(path: path, text: text))
        #expect(result.edits.isEmpty, "\(path) was edited")
        #expect(result.attention.count == 1, "\(path): \(result.attention)")
        let item = result.attention.first
        #expect(item?.location.path == path)
        #expect(item?.description.contains(fragment) == true, "\(item?.description ?? "no attention line") lacks \(fragment)")
        if let line { #expect(item?.location.line == line) }
    }

    @Test func jsonNestedFiveThousandDeep() {
        let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        expectRefused("config/deep.json", #"{"plays": "# + deep + "}", "nested deeper than \(ConfigLimits.maximumDepth) levels")
        let objects = String(repeating: #"{"a":"#, count: 5_000) + "1" + String(repeating: "}", count: 5_000)
        expectRefused("config/deep.json", objects, "nested deeper than \(ConfigLimits.maximumDepth) levels")
    }

    @Test func tomlNestedFiveThousandDeep() {
        let arrays = "plays = " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "\n"
        expectRefused("config/deep.toml", arrays, "nested deeper than \(ConfigLimits.maximumDepth) levels")
        let tables = "plays = " + String(repeating: "{a = ", count: 5_000) + "1" + String(repeating: "}", count: 5_000) + "\n"
        expectRefused("config/deep.toml", tables, "nested deeper than \(ConfigLimits.maximumDepth) levels")
        let header = "[" + Array(repeating: "a", count: 5_000).joined(separator: ".") + "]\nplays = 1\n"
        expectRefused("config/deep.toml", header, "nested deeper than \(ConfigLimits.maximumDepth) levels")
        // Each part under the limit, together over it: a header, a dotted key and brackets.
        let third = ConfigLimits.maximumDepth / 3
        let parts = "[" + Array(repeating: "t", count: third / 2).joined(separator: ".") + "]\n"
            + Array(repeating: "k", count: third).joined(separator: ".") + " = " + String(repeating: "[", count: third + 10)
            + String(repeating: "]", count: third + 10) + "\nplays = 1\n"
        expectRefused("config/deep.toml", parts, "nested deeper than \(ConfigLimits.maximumDepth) levels")
    }

    @Test func yamlNestedFiveThousandDeep() {
        let flow = "plays: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "\n"
        expectRefused("config/deep.yaml", flow, "nested deeper than")
        var block = ""
        for depth in 0..<(ConfigLimits.maximumDepth + 20) { block += String(repeating: " ", count: depth) + "k:\n" }
        expectRefused("config/deep.yaml", "plays: 1\n" + block, "nested deeper than \(ConfigLimits.maximumDepth) levels")
    }

    /// Deep files read on a thread with a quarter of the stack the fleet's work threads get
    /// (8 MiB): just under the limit they read, far past it they are refused, and neither
    /// overflows the stack, even in a debug build.
    @Test func deepFilesOnASmallStack() {
        let depth = ConfigLimits.maximumDepth - 2
        let cases: [(String, String)] = [
            ("a.json", String(repeating: #"{"a": ["#, count: depth / 2) + String(repeating: "]}", count: depth / 2)),
            ("a.toml", "a = " + String(repeating: "[{a = ", count: depth / 2) + "1" + String(repeating: "}]", count: depth / 2) + "\n"),
            ("a.yaml", "a: " + String(repeating: "[{a: ", count: depth / 2 - 1) + "1" + String(repeating: "}]", count: depth / 2 - 1) + "\n"),
            ("b.yaml", "a: " + String(repeating: "[", count: 990) + String(repeating: "]", count: 990) + "\n"),
            ("b.json", String(repeating: "[", count: 100_000)),
        ]
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcomes: [String] = []
        let thread = Thread {
            for (path, text) in cases {
                do {
                    _ = try ConfigFormats.format(for: path)!.parse(Array(text.utf8))
                    outcomes.append("\(path): read")
                } catch let error as ConfigParseError {
                    outcomes.append("\(path): \(error.limit ? "limit" : error.message)")
                } catch {
                    outcomes.append("\(path): \(error)")
                }
            }
            done.signal()
        }
        thread.stackSize = 2 << 20
        thread.start()
        done.wait()
        #expect(outcomes == ["a.json: read", "a.toml: read", "a.yaml: read", "b.yaml: limit", "b.json: limit"])
    }

    @Test func propertiesWithThousandsOfDotsStayFlat() {
        let key = Array(repeating: "a", count: 5_000).joined(separator: ".")
        let (output, result) = rewritten("a.properties", key + "=1\nplays.table=t\n", setRule("*.properties"))
        #expect(output == key + "=1\nplays.table=x\n")
        #expect(result.attention.isEmpty)
    }

    @Test func brokenSurrogatesAreInvalidInputNotATrap() {
        expectRefused("config/s.json", #"{"plays": {"table": "\uD888\u1234"}}"#, "broken surrogate pair", line: 1)
        expectRefused("config/s.json", #"{"plays": {"table": "\uD888"}}"#, "unpaired surrogate")
        expectRefused("config/s.json", #"{"plays": {"table": "\uDC00"}}"#, "lone surrogate")
        expectRefused("config/s.json", #"{"plays": {"table": "\u+123"}}"#, "invalid \\u escape")
        expectRefused("config/s.toml", "[plays]\ntable = \"\\uD888\"\n", "invalid unicode escape")
        // A proper pair still reads and edits.
        let (output, _) = rewritten("s.json", #"{"plays": {"table": "\uD83D\uDE00"}}"#, setRule("*.json"))
        #expect(output == #"{"plays": {"table": "x"}}"#)
    }

    @Test func yamlAliasBombIsCountedNotExpanded() {
        // Nine levels of nine aliases each: 387 million nodes if expanded.
        var bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for (name, previous) in zip(["b", "c", "d", "e", "f", "g", "h", "i"], ["a", "b", "c", "d", "e", "f", "g", "h"]) {
            bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        bomb += "plays:\n  table: t\n"
        let (output, result) = rewritten("bomb.yaml", bomb, setRule("*.yaml"))
        // Read without expanding, the file is ordinary: the rule's key is edited.
        #expect(output == bomb.replacingOccurrences(of: "table: t", with: "table: x"))
        #expect(result.attention.isEmpty)

        // Past the count of alias uses, the file is refused naming the limit.
        let many = "a: &a [1]\nb: [" + Array(repeating: "*a", count: 10_001).joined(separator: ",") + "]\nplays: {table: t}\n"
        expectRefused("many.yaml", many, "more than 10000 alias uses")
    }

    @Test func anAliasIsNeverEditedThroughItsAnchor() {
        let text = "base: &b gs://x\nplays:\n  table: *b\n"
        let result = ConfigRewriter(migration: setRule("*.yaml")).rewrite(SourceFile(path: "a.yaml", text: text))
        #expect(result.edits.isEmpty)
        #expect(result.attention.map(\.description) == ["a.yaml:3: plays.table '*b' should become 'x' but was not rewritten: an alias"])
        // Nor is the anchored value a rule names: the alias would change with it.
        let anchored = ConfigRewriter(migration: setRule("*.yaml", "base")).rewrite(SourceFile(path: "a.yaml", text: text))
        #expect(anchored.edits.isEmpty)
        #expect(anchored.attention.map(\.description) == ["a.yaml:1: base not set: anchored (&) and used through an alias (*), which would change too"])
    }

    @Test func aPathThroughAnAliasOrAMergeKeyIsReportedNotSkipped() {
        let text = "base: &b {table: t, shards: 2}\nplays: *b\nother:\n  <<: *b\n  mine: 1\n"
        for (path, expected) in [
            ("plays.table", "a.yaml:2: plays.table not followed: it goes through an alias (*); configSet plays.table = x in *.yaml not applied"),
            ("other.table", "a.yaml:4: other.table not followed: 'table' may come from a merge key (<<); configSet other.table = x in *.yaml not applied"),
        ] {
            let result = ConfigRewriter(migration: setRule("*.yaml", path)).rewrite(SourceFile(path: "a.yaml", text: text))
            #expect(result.edits.isEmpty)
            #expect(result.attention.map(\.description) == [expected])
        }
        // A key of its own beside the merge key is still edited.
        let (output, _) = rewritten("a.yaml", text, setRule("*.yaml", "other.mine"))
        #expect(output == text.replacingOccurrences(of: "mine: 1", with: "mine: x"))
    }

    /// Two million values fit in 4 MiB; located, they would take about a gigabyte.
    @Test func tooManyValuesAreRefusedBeforeTheyAreAllRead() {
        let json = #"{"plays": {"table": "t"}, "rows": ["# + Array(repeating: "1", count: 2_000_000).joined(separator: ",") + "]}"
        expectRefused("many.json", json, "more than 250000 values", line: 1)
        expectRefused("many.yaml", "plays: {table: t}\nrows:\n" + String(repeating: "- 1\n", count: 260_000), "more than 250000 values")
        expectRefused("many.properties", "plays.table=t\n" + String(repeating: "a=1\n", count: 260_000), "more than 250000 values")
    }

    @Test func oversizedFilesAreReportedWithTheLimit() {
        let big = "plays:\n  table: t\n" + String(repeating: "# filler line of a large file\n", count: 40_000)
        expectRefused("big.yaml", big, "larger than 1024 KiB")
        let json = #"{"plays": {"table": "t"}, "pad": ""# + String(repeating: "x", count: 5 << 20) + "\"}"
        expectRefused("big.json", json, "larger than 4096 KiB")
    }

    /// A worktree with hostile files beside ordinary ones, migrated by the schema change alone:
    /// the ordinary files are edited, each hostile one is named with its problem.
    @Test func hostileFilesBesideOrdinaryOnesInAWorktree() throws {
        let worktree = TemporaryDirectory("config-hostile")
        let location = "gs://listening-data/plays/v1"
        worktree.write("config/pipeline.yaml", "location: \(location)\n")
        worktree.write("config/deep.json", String(repeating: "[", count: 5_000) + "\"\(location)\"" + String(repeating: "]", count: 5_000))
        worktree.write("config/deep.toml", "a = " + String(repeating: "[", count: 5_000) + "\"\(location)\"" + String(repeating: "]", count: 5_000) + "\n")
        worktree.write("config/surrogate.json", #"{"location": "\#(location)", "name": "\uD888\u1234"}"#)
        var bomb = "location: \(location)\na: &a [x,x,x,x,x,x,x,x,x]\n"
        for (name, previous) in zip("bcdefghi", "abcdefgh") { bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n" }
        worktree.write("config/bomb.yaml", bomb)
        let result = Migrator(migration: playsV2Migration()).plan(Workspace(root: worktree.path))
        #expect(result.edits.map(\.path) == ["config/bomb.yaml", "config/pipeline.yaml"])
        #expect(result.attention.map(\.description) == [
            "config/deep.json:1: nested deeper than \(ConfigLimits.maximumDepth) levels (skein's limit for config files); not rewritten",
            "config/deep.toml:1: nested deeper than \(ConfigLimits.maximumDepth) levels (skein's limit for config files); not rewritten",
            "config/surrogate.json:1: cannot be parsed: broken surrogate pair \\uD888\\u1234; not rewritten",
        ])
    }

    @Test func theTimeBudgetRefusesAFileWithItsLimit() {
        var rewriter = ConfigRewriter(migration: setRule("*.yaml"))
        rewriter.timeBudget = .zero
        let result = rewriter.rewrite(SourceFile(path: "slow.yaml", text: "plays:\n  table: t\n"))
        #expect(result.edits.isEmpty)
        #expect(result.attention.map(\.description) == ["slow.yaml:1: took longer than 0 s (skein's time budget per config file); not rewritten"])
    }

    @Test func aFileTheWorkspaceDoesNotReadIsReportedWhenARuleNamesIt() throws {
        let worktree = TemporaryDirectory("config-oversized")
        worktree.write("config/big.yaml", "plays:\n  table: t\n" + String(repeating: "# padding\n", count: 500_000))
        worktree.write("data/big.json", "[" + String(repeating: "1,", count: 2_500_000) + "1]")
        let result = Migrator(migration: setRule("config/*.yaml")).plan(Workspace(root: worktree.path))
        #expect(result.edits.isEmpty)
        // The rule names the YAML file; the JSON file concerns nothing and stays quiet.
        #expect(result.attention.map(\.description) == ["config/big.yaml:1: larger than 4 MiB (a config rule names it); not rewritten"])
    }

    /// Valid YAML the reader cannot take, or cannot take safely: left as it is, with a reason.
    @Test func validYAMLItCannotReadIsNeverSkippedInSilence() {
        for (text, fragment) in [
            ("plays: |-\n \tbar\ntable: t\n", "a.yaml:2: cannot be parsed: found a tab character where an indentation space is expected"),
            ("plays: {x: :x}\ntable: t\n", "a.yaml:1: cannot be parsed: did not find expected node content"),
            ("---\nscalar1\n...\nplays: {table: t}\n", "a.yaml:4: cannot be parsed: did not find expected <document start>"),
            (": empty key\nplays: {table: t}\n", "a.yaml:1: cannot be parsed: did not find expected key"),
        ] {
            let result = ConfigRewriter(migration: setRule("*.yaml")).rewrite(SourceFile(path: "a.yaml", text: text))
            if let edit = result.edits.first {
                #expect(edit.newText == text.replacingOccurrences(of: "table: t", with: "table: x"), "\(text)")
            } else {
                #expect(result.attention.count == 1, "\(text): \(result.attention)")
                #expect(result.attention.first?.description.contains(fragment) == true, "\(result.attention)")
            }
        }
    }

    @Test func invalidFilesAreReportedWithTheirLine() {
        expectRefused("d.json", "{\n\"plays\": 1,\n\"plays\": 2\n}", "duplicate key", line: 3)
        expectRefused("d.yaml", "plays: 1\nplays: 2\n", "duplicate key")
        expectRefused("d.yaml", "plays: 1\n... text\n", "text after the document end marker", line: 2)
        expectRefused("d.env", "PLAYS=\"a\nB=2\n", "unterminated quoted value", line: 1)
        expectRefused("d.yaml", "plays: [a, b\n", "cannot be parsed")
        expectRefused("d.yaml", "plays:\n  table: \"t\"# note\n", "a comment must be separated", line: 2)
        expectRefused("d.toml", "[plays]\ntable = \"t\"\nwhen = 2006-01-01T24:00:00\n", "invalid value '2006-01-01T24:00:00'", line: 3)
        expectRefused("d.toml", "[plays]\ntable = \"t\"\nshards = 01\n", "invalid value '01'", line: 3)
        expectRefused("d.toml", "[plays]\ntable = \"t\u{7F}\"\n", "control character 0x7F", line: 2)
    }
}
