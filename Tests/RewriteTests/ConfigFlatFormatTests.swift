import Foundation
@testable import Rewrite
import SkeinBasics
import Testing

/// `.env` cases equivalent to godotenv's fixtures (with the values its tests expect), and
/// `.properties` cases in the manner of node-properties': each key reads as those readers read
/// it, and a rule naming it either edits exactly its value or is refused with a reason.
@Suite struct ConfigFlatFormatTests {
    static let envCases: [(name: String, text: String, values: [String: String])] = [
        ("plain", "OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\nOPTION_F = \nOPTION_G=\nOPTION_H=1 2",
         ["OPTION_A": "1", "OPTION_B": "2", "OPTION_C": "3", "OPTION_D": "4", "OPTION_E": "5", "OPTION_F": "", "OPTION_G": "", "OPTION_H": "1 2"]),
        ("quoted", "OPTION_A='1'\nOPTION_B='2'\nOPTION_C=''\nOPTION_D='\\n'\nOPTION_E=\"1\"\nOPTION_F=\"2\"\nOPTION_G=\"\"\nOPTION_H=\"\\n\"\n"
            + "OPTION_I = \"echo 'asd'\"\nOPTION_J='line 1\nline 2'\nOPTION_L=\"line 1\nline 2\"\nOPTION_M=\"line one\nthis is \\\"quoted\\\"\none more line\"\n",
         ["OPTION_A": "1", "OPTION_B": "2", "OPTION_C": "", "OPTION_D": "\\n", "OPTION_E": "1", "OPTION_F": "2", "OPTION_G": "", "OPTION_H": "\n",
          "OPTION_I": "echo 'asd'", "OPTION_J": "line 1\nline 2", "OPTION_L": "line 1\nline 2", "OPTION_M": "line one\nthis is \"quoted\"\none more line"]),
        ("comments", "# Full line comment\nqux=thud # fred # other\nthud=fred#qux # other\nfred=qux#baz # other # more\nfoo=bar # baz\nbar=foo#baz\n",
         ["qux": "thud", "thud": "fred#qux", "fred": "qux#baz", "foo": "bar", "bar": "foo#baz"]),
        ("exported", "export OPTION_A=2\nexport OPTION_B='\\n'\n", ["OPTION_A": "2", "OPTION_B": "\\n"]),
        ("equals", "export OPTION_A='postgres://localhost:5432/database?sslmode=disable'\n",
         ["OPTION_A": "postgres://localhost:5432/database?sslmode=disable"]),
        ("hyphen", "OPTION_A=abc\nOPTION-B=def\n\n", ["OPTION_A": "abc", "OPTION-B": "def"]),
    ]

    static let propertiesCases: [(name: String, text: String, values: [String: String])] = [
        ("separators", "a=1\nb:2\nc 3\nd = 4\ne\t:\t5\nf\n", ["a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": ""]),
        ("comments", "# comment\n! comment\n  a = 1 # not a comment\n", ["a": "1 # not a comment"]),
        ("escapes", "a\\ b=1\nc\\=d=2\ne=\\u0041\\tB\nf=x\\\\y\n", ["a b": "1", "c=d": "2", "e": "A\tB", "f": "x\\y"]),
    ]

    func values(_ format: any ConfigFormat, _ text: String) throws -> [String: String] {
        var result: [String: String] = [:]
        func collect(_ node: ConfigNode, _ prefix: String) {
            for entry in node.mapping?.entries ?? [] {
                let key = prefix.isEmpty ? entry.key.value : prefix + "." + entry.key.value
                if let scalar = entry.value.scalar { result[key] = scalar.value } else { collect(entry.value, key) }
            }
        }
        for document in try format.parse(Array(text.utf8)) { collect(document, "") }
        return result
    }

    @Test func envFilesReadAsGodotenvReadsThem() throws {
        for item in Self.envCases {
            #expect(try values(EnvFormat(), item.text) == item.values, "\(item.name)")
        }
    }

    @Test func propertiesFilesReadAsJavaReadsThem() throws {
        for item in Self.propertiesCases {
            #expect(try values(PropertiesFormat(), item.text) == item.values, "\(item.name)")
        }
    }

    /// Every key of every case through `configSet`: the value reads back new and every other
    /// key as before, or the file is left alone with an attention line.
    @Test func everyKeyIsSetExactlyOrRefusedWithAReason() throws {
        for (path, format, cases) in [(".env", EnvFormat() as any ConfigFormat, Self.envCases),
                                      ("a.properties", PropertiesFormat(), Self.propertiesCases)] {
            for item in cases {
                for key in item.values.keys {
                    let migration = Migration(id: "m", schemaCommit: String(repeating: "0", count: 40), datasets: ["plays"],
                                              changes: [.configSet(files: "**/*", path: ConfigPath.path([key]), value: .string("new $value"))],
                                              transitions: [])
                    let result = ConfigRewriter(migration: migration).rewrite(SourceFile(path: path, text: item.text))
                    if let edit = result.edits.first {
                        var expected = item.values
                        expected[key] = "new $value"
                        #expect(try values(format, edit.newText) == expected, "\(item.name) \(key)")
                        let changed = zip(item.text.split(separator: "\n", omittingEmptySubsequences: false),
                                          edit.newText.split(separator: "\n", omittingEmptySubsequences: false)).filter { $0 != $1 }
                        #expect(changed.count == 1, "\(item.name) \(key): \(changed)")
                    } else {
                        #expect(result.attention.count == 1, "\(item.name) \(key) left unchanged in silence")
                    }
                }
            }
        }
    }

    @Test func envValueWithEscapedQuotesInSingleQuotesIsRefusedNotGuessed() {
        // godotenv reads `\'` inside single quotes as a quote; shells do not. Not guessed.
        let text = "OPTION_K='line one\nthis is \\'quoted\\'\none more line'\nOTHER=1\n"
        let migration = Migration(id: "m", schemaCommit: String(repeating: "0", count: 40), datasets: ["plays"],
                                  changes: [.configSet(files: "**/*", path: "OTHER", value: .integer(2))], transitions: [])
        let result = ConfigRewriter(migration: migration).rewrite(SourceFile(path: ".env", text: text))
        #expect(result.edits.isEmpty)
        #expect(result.attention.count == 1)
    }
}
