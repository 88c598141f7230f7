import Foundation
@testable import Rewrite
import SkeinBasics
import Testing
import TestSupport

/// The official suites' files (yaml-test-suite, toml-test's TOML 1.0 list, JSONTestSuite, under
/// `fixtures/config/conformance/` with their licences) through `configSet`, `configRenameKey` and
/// `configDelete`, checked by reference readers (`scripts/config-conformance.py`: Python's `json`
/// and `tomllib`, ruamel.yaml for YAML 1.2; `make test` installs ruamel.yaml).
///
/// Each valid file with an addressable key is edited exactly (the reference reader sees that
/// entry changed and nothing else; every other line kept) or left unchanged with an attention
/// line; no invalid file is ever edited.
@Suite struct ConfigConformanceTests {
    struct Case: Codable {
        var file: String
        var format: String
        var valid: Bool
        var readable: Bool
        var keys: [String]?
        var guess: String?
        /// A bare JSON value the test puts inside `{"skein": …}` so the rules reach it.
        var wrapped: Bool
    }

    struct Outcome: Codable {
        var file: String
        var format: String
        var valid: Bool
        var readable: Bool
        var keys: [String]?
        var wrapped = false
        var op: String?
        var input: String
        var output: String?
        var attention: [String]
    }

    static let script = (packageRoot as NSString).appendingPathComponent("scripts/config-conformance.py")
    static let root = fixturePath("config/conformance")

    func rewrite(_ relative: String, _ text: String, _ change: Change) -> RewriteResult {
        let migration = Migration(id: "conformance", schemaCommit: String(repeating: "0", count: 40), datasets: ["plays"],
                                  changes: [change], transitions: [])
        return ConfigRewriter(migration: migration).rewrite(SourceFile(path: relative, text: text))
    }

    @Test func officialSuitesThroughTheConfigRules() throws {
        let listed = runProgram("python3", [Self.script, "cases", Self.root])
        try #require(listed.status == 0, "the reference readers are needed (make test installs ruamel.yaml): \(listed.stderr)")
        let cases = try JSONDecoder().decode([Case].self, from: Data(listed.stdout.utf8))
        #expect(cases.count > 1_000)
        var outcomes: [Outcome] = []
        for item in cases {
            var data = try Data(contentsOf: URL(fileURLWithPath: (Self.root as NSString).appendingPathComponent(item.file)))
            if item.wrapped { data = Data(#"{"skein": "#.utf8) + data + Data("}".utf8) }
            // Text that is not UTF-8 never reaches the config rules: the workspace skips it.
            guard let text = String(validating: data, as: UTF8.self) else {
                if !item.valid { outcomes.append(Outcome(file: item.file, format: item.format, valid: false, readable: false, wrapped: item.wrapped, input: "", attention: [])) }
                continue
            }
            func outcome(_ op: String?, _ result: RewriteResult?) -> Outcome {
                Outcome(file: item.file, format: item.format, valid: item.valid, readable: item.readable, keys: item.keys, wrapped: item.wrapped, op: op,
                        input: text, output: result?.edits.first?.newText, attention: result?.attention.map(\.description) ?? [])
            }
            if !item.valid {
                // Aimed at a key the file seems to have, and at a new key of its root.
                var changes: [Change] = [.configSet(files: "**/*", path: "skein_probe", value: .string("x"))]
                if let guess = item.guess {
                    changes += [.configSet(files: "**/*", path: guess, value: .string("x")),
                                .configRenameKey(files: "**/*", path: guess, to: "skein_renamed"),
                                .configDelete(files: "**/*", path: guess)]
                }
                let edited = changes.map { rewrite(item.file, text, $0) }.first { !$0.edits.isEmpty }
                outcomes.append(outcome("probe", edited))
                continue
            }
            guard let keys = item.keys, item.readable else {
                outcomes.append(outcome(nil, nil))
                continue
            }
            let path = ConfigPath.path(keys)
            for (op, change) in [("set", Change.configSet(files: "**/*", path: path, value: .string("skein-set"))),
                                 ("rename", .configRenameKey(files: "**/*", path: path, to: "skein_renamed")),
                                 ("delete", .configDelete(files: "**/*", path: path))] {
                outcomes.append(outcome(op, rewrite(item.file, text, change)))
            }
        }
        let directory = TemporaryDirectory()
        let results = directory.url("results.json")
        try JSONEncoder().encode(outcomes).write(to: URL(fileURLWithPath: results))
        let verified = runProgram("python3", [Self.script, "verify", results])
        print(verified.stdout)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }
}
