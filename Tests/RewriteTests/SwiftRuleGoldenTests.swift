import Foundation
import SkeinBasics
import TestSupport
import Testing
@testable import Rewrite

/// Golden tests: `fixtures/rewrite/<Rule>/<case>.input.swift` rewritten with the change its
/// `<case>.change.json` describes must equal `<case>.expected.swift`, report attention on the
/// listed lines, and change nothing when applied again.
struct SwiftRuleGoldenTests {
    struct GoldenCase: CustomStringConvertible, Sendable {
        var rule: String
        var name: String
        var description: String { "\(rule)/\(name)" }
        var base: String { fixturePath("rewrite/\(rule)/\(name)") }
    }

    static let cases: [GoldenCase] = {
        let root = fixturePath("rewrite")
        var found: [GoldenCase] = []
        for rule in (try? FileManager.default.contentsOfDirectory(atPath: root))?.sorted() ?? [] {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + rule))?.sorted() ?? []
            where file.hasSuffix(".input.swift") {
                found.append(GoldenCase(rule: rule, name: String(file.dropLast(".input.swift".count))))
            }
        }
        return found
    }()

    @Test("golden rewrite", arguments: cases)
    func golden(_ golden: GoldenCase) throws {
        let input = try String(contentsOfFile: golden.base + ".input.swift", encoding: .utf8)
        let expected = try String(contentsOfFile: golden.base + ".expected.swift", encoding: .utf8)
        let sidecar = try GoldenChange(contentsOf: golden.base + ".change.json")
        let path = golden.name == "Package" ? "Package.swift" : "Sources/App/\(golden.name).swift"
        let rewriter = SwiftRewriter(migration: sidecar.migration)

        let result = rewriter.rewrite([SourceFile(path: path, text: input)])
        let output = result.edits.first { $0.path == path }?.newText ?? input
        #expect(output == expected, "\(golden): rewritten text differs")
        #expect(result.edits.isEmpty == (input == expected), "\(golden): an edit only when the text changes")
        #expect(result.attention.map(\.location.line).sorted() == sidecar.attentionLines,
                "\(golden): attention \(result.attention.map(\.description))")
        #expect(result.skipped.isEmpty)

        let again = rewriter.rewrite([SourceFile(path: path, text: output)])
        #expect(again.edits.isEmpty, "\(golden): applying twice changes nothing the second time")
    }

    @Test func registryMatchesRulesFolder() throws {
        let folder = packageRoot + "/Sources/Rewrite/Rules"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".swift") }.map { String($0.dropLast(6)) }.sorted()
        #expect(SwiftRules.names.sorted() == files)
        let fixtureRules = try FileManager.default.contentsOfDirectory(atPath: fixturePath("rewrite")).sorted()
        #expect(fixtureRules == files, "every rule has golden cases")
    }
}

/// A golden case's change, as its sidecar JSON describes it.
struct GoldenChange {
    var migration: Migration
    var attentionLines: [Int]

    init(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func string(_ key: String) -> String { json[key] as? String ?? "" }
        func column(_ text: String) -> ColumnType {
            ColumnType(FieldType(rawValue: String(text.drop { $0 == "?" }.filter { $0 != "?" }))!, nullable: text.hasSuffix("?"))
        }
        let dataset = json["dataset"] as? String ?? "plays"
        let change: Change
        switch string("kind") {
        case "renameField": change = .renameField(dataset: dataset, from: string("from"), to: string("to"))
        case "changeFieldType":
            change = .changeFieldType(dataset: dataset, field: string("field"), from: column(string("fromType")), to: column(string("toType")))
        case "removeField": change = .removeField(dataset: dataset, field: string("field"))
        case "retiredName": change = .retiredName(dataset: dataset, field: string("field"))
        case "moveLocation": change = .moveLocation(dataset: dataset, from: string("from"), to: string("to"))
        case "bumpVersion": change = .bumpVersion(dataset: dataset, from: json["fromVersion"] as! Int, to: json["toVersion"] as! Int)
        case "renameDataset": change = .renameDataset(from: string("from"), to: string("to"))
        case "replaceString": change = .replaceString(from: string("from"), to: string("to"))
        case "renameType": change = .renameType(from: string("from"), to: string("to"))
        case "renameModule": change = .renameModule(from: string("from"), to: string("to"))
        case "renameMember":
            change = .renameMember(type: string("type"), from: string("from"), to: string("to"),
                                   kind: (json["memberKind"] as? String).flatMap(MemberKind.init(rawValue:)))
        default: throw InputError("\(path): unknown kind \(string("kind"))")
        }
        let fields = (json["fields"] as? [String] ?? []).map { FieldSpec(name: $0, column: ColumnType(.string)) }
        let old = DatasetSpec(name: dataset, version: 1, location: "gs://listening-data/\(dataset)/v1",
                              record: json["record"] as? String, fields: fields)
        var new = old
        new.version = 2
        migration = Migration(id: "\(dataset)-v2", schemaCommit: "", datasets: [dataset], changes: [change],
                              transitions: [DatasetTransition(old: old, new: new)])
        attentionLines = (json["attention"] as? [Int] ?? []).sorted()
    }
}
