import Foundation
@testable import Rewrite
import SkeinBasics
import Testing
import TestSupport

/// Golden files: `fixtures/config/<format>/<case>.input.<ext>` rewritten for plays v1 → v2 (and,
/// under `rules/`, the explicit config rules) must equal `<case>.expected.<ext>` byte for byte,
/// and report exactly the lines of `<case>.attention`.
@Suite struct ConfigGoldenTests {
    @Test func explicitRuleRegistryMatchesItsFolder() throws {
        let folder = packageRoot + "/Sources/Rewrite/Config/Rules"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".swift") }.map { String($0.dropLast(6)) }.sorted()
        #expect(ConfigRules.names.sorted() == files)
    }

    static let migration = playsV2Migration(extra: [
        .configSet(files: "rules/**", path: "datasets.plays.format", value: .string("parquet")),
        .configRenameKey(files: "rules/**", path: "plays.table", to: "tableName"),
        .configDelete(files: "rules/**", path: "datasets.plays.legacy"),
    ])

    static let cases: [String] = {
        let root = fixturePath("config")
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.contains(".input.") }.sorted()
    }()

    @Test(arguments: cases)
    func golden(_ input: String) throws {
        let text = readFixture("config/" + input)
        let expectedPath = input.replacingOccurrences(of: ".input.", with: ".expected.")
        let expected = readFixture("config/" + expectedPath)
        let result = ConfigRewriter(migration: Self.migration).rewrite(SourceFile(path: input, text: text))
        let output = result.edits.first?.newText ?? text
        #expect(output == expected, "\(input)")
        let attentionPath = fixturePath("config/" + input.components(separatedBy: ".input.")[0] + ".attention")
        let expectedAttention = (try? String(contentsOfFile: attentionPath, encoding: .utf8)) ?? ""
        #expect(result.attention.map { "\($0)\n" }.joined() == expectedAttention, "\(input)")
        #expect(result.skipped.isEmpty, "\(input)")

        // Idempotence: the migrated file has nothing left to change.
        let again = ConfigRewriter(migration: Self.migration).rewrite(SourceFile(path: input, text: output))
        #expect(again.edits.isEmpty, "\(input) changes again")
    }

    @Test func goldenCasesArePresent() {
        #expect(Self.cases.count >= 10)
    }
}
