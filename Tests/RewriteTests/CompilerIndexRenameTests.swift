import Foundation
import SkeinBasics
import TestSupport
import Testing
@testable import Rewrite

/// Renames decided by the compiler's own index: a fixture package (`fixtures/index/<name>/input`)
/// is built for real with `swift build --build-tests`, its index store read by `skein-index`, and
/// the plan must equal `expected/` exactly, and the package's own tests must pass after it. The same plan by the syntax
/// resolver alone misses what only the compiler knows, which shows the index was what decided.
@Suite(.serialized)
struct CompilerIndexRenameTests {
    /// A fixture package copied to a temporary directory and built, with its index read.
    struct BuiltFixture {
        let directory = TemporaryDirectory("skein-index")
        let root: String
        let migration: Migration
        let build: CommandOutput

        init(_ name: String, migration: Migration? = nil, beside: [String] = []) throws {
            root = directory.url("package")
            let copy = runProgram("cp", ["-R", fixturePath("index/\(name)/input"), root])
            try #require(copy.status == 0, "copy failed: \(copy.stderr)")
            // Packages the fixture depends on by `../Name`: outside its repo.
            for package in beside {
                try #require(runProgram("cp", ["-R", fixturePath("index/\(name)/\(package)"), directory.url(package)]).status == 0)
            }
            self.migration = try migration ?? Migration(id: "index", schemaCommit: "", datasets: ["all"],
                                                        changes: try indexChanges(fixturePath("index/\(name)/change.json")), transitions: [])
            build = runProgram("swift", ["build", "--build-tests"], in: root)
        }

        var store: String? {
            let build = root + "/.build"
            let triples = (try? FileManager.default.contentsOfDirectory(atPath: build)) ?? []
            return triples.map { build + "/" + $0 + "/debug/index/store" }.first { FileManager.default.fileExists(atPath: $0) }
        }

        /// Runs the reader as skein does, on a query for the migration's names.
        func readIndex(packageRoot: String? = nil, store: String? = nil) throws -> (CommandOutput, CompilerIndex?) {
            let names = Migrator(migration: migration).compilerIndexNames(Workspace(root: root))
            let query = CompilerIndexQuery(store: try #require(store ?? self.store), packageRoot: packageRoot ?? root, names: names)
            let input = directory.url("query.json"), output = directory.url("index.json")
            try JSONEncoder().encode(query).write(to: URL(fileURLWithPath: input))
            try? FileManager.default.removeItem(atPath: output)
            let ran = runProgram(indexReaderExecutable, [input, output])
            guard ran.status == 0 else { return (ran, nil) }
            return (ran, try JSONDecoder().decode(CompilerIndex.self, from: Data(contentsOf: URL(fileURLWithPath: output))))
        }
    }

    @Test func renamesEqualTheCompilersOccurrencesAndThePackagesTestsPass() throws {
        let fixture = try BuiltFixture("Shapes")
        try #require(fixture.build.status == 0, "the fixture does not build: \(fixture.build.stdout.suffix(2000))")
        let (ran, read) = try fixture.readIndex()
        let index = try #require(read, "skein-index failed: \(ran.stderr)")
        #expect(index.files.contains("Sources/Shapes/Signs.swift"))
        #expect(index.files.contains("Tests/ShapesTests/ShapesTests.swift"))
        #expect(index.dropped.isEmpty)

        let workspace = Workspace(root: fixture.root)
        let plan = Migrator(migration: fixture.migration).plan(workspace, compilerIndex: index)
        #expect(plan.attention.isEmpty, "\(plan.attention.map(\.description))")
        let expectedRoot = fixturePath("index/Shapes/expected")
        for edit in plan.edits {
            let expected = try? String(contentsOfFile: expectedRoot + "/" + edit.path, encoding: .utf8)
            #expect(edit.newText == expected, "\(edit.path) differs from expected/\(edit.path):\n\(edit.newText)")
        }
        let expectedFiles = try FileManager.default.subpathsOfDirectory(atPath: expectedRoot).filter { $0.hasSuffix(".swift") }
        #expect(plan.edits.map(\.path).sorted() == expectedFiles.sorted())
        #expect(plan.resolvedBy.contains { $0.hasPrefix("renameMember Style.any → anyStyle") && $0.contains("from the compiler index") },
                "\(plan.resolvedBy)")
        #expect(!plan.resolvedBy.contains { $0.contains("syntax resolver") }, "\(plan.resolvedBy)")

        // The syntax resolver alone gets at least one of these wrong: the index decided.
        let bySyntax = Migrator(migration: fixture.migration).plan(workspace)
        #expect(bySyntax.edits.map(\.newText) != plan.edits.map(\.newText) || !bySyntax.attention.isEmpty)

        _ = try workspace.write(plan.edits)
        // The renamed package builds and its own tests pass.
        let after = runProgram("swift", ["test"], in: fixture.root)
        #expect(after.status == 0, "the renamed package's tests fail: \(after.stdout.suffix(3000))")
    }
}

extension CompilerIndexRenameTests {
    /// A dependency's type and member (declared outside the repo) are found by their USRs; the
    /// consumer's own same-named property and its memberwise label stay.
    @Test func aDependencysSymbolsAreRenamedWhereTheCompilerSaysTheConsumerUsesThem() throws {
        let fixture = try BuiltFixture("Client", beside: ["PlaysKit"])
        try #require(fixture.build.status == 0, "the fixture does not build: \(fixture.build.stdout.suffix(2000))")
        let index = try readCompilerIndex(root: fixture.root, migration: fixture.migration)
        let workspace = Workspace(root: fixture.root)
        let plan = Migrator(migration: fixture.migration).plan(workspace, compilerIndex: index)
        #expect(plan.attention.isEmpty, "\(plan.attention.map(\.description))")
        #expect(plan.resolvedBy.contains { $0.hasPrefix("renameMember Play.trackID → trackURI") && $0.contains("2 edits from the compiler index") },
                "\(plan.resolvedBy)")
        let expected = try String(contentsOfFile: fixturePath("index/Client/expected/Sources/Client/Report.swift"), encoding: .utf8)
        #expect(plan.edits.map(\.path) == ["Sources/Client/Report.swift"])
        #expect(plan.edits.first?.newText == expected)

        // With the library's new version (renamed the same way), the consumer builds again.
        _ = try workspace.write(plan.edits)
        let library = fixture.directory.url("PlaysKit/Sources/PlaysKit/PlaysKit.swift")
        let text = try String(contentsOfFile: library, encoding: .utf8)
        try text.replacingOccurrences(of: "trackID", with: "trackURI").replacingOccurrences(of: "PlaysClient", with: "ListeningClient")
            .write(toFile: library, atomically: true, encoding: .utf8)
        let after = runProgram("swift", ["build"], in: fixture.root)
        #expect(after.status == 0, "the consumer does not build with the renamed library: \(after.stdout.suffix(3000))")
    }

    /// `renameField` on the record: the property, its `CodingKeys` case, `forKey:` uses and key
    /// paths come from the index; the same-named property of another type and the explicit
    /// initializer's parameter stay.
    @Test func aRecordFieldRenameFollowsTheCompilersOccurrences() throws {
        let fields = ["track_id", "user_id"].map { FieldSpec(name: $0, column: ColumnType(.string)) }
        let old = DatasetSpec(name: "plays", version: 1, location: "gs://listening-data/plays/v1", record: "PlayEvent", fields: fields)
        var new = old
        new.version = 2
        let migration = Migration(id: "plays-v2", schemaCommit: "", datasets: ["plays"],
                                  changes: [.renameField(dataset: "plays", from: "track_id", to: "track_uri")],
                                  transitions: [DatasetTransition(old: old, new: new)])
        let fixture = try BuiltFixture("Records", migration: migration)
        try #require(fixture.build.status == 0, "the fixture does not build: \(fixture.build.stdout.suffix(2000))")
        let index = try readCompilerIndex(root: fixture.root, migration: migration)
        let workspace = Workspace(root: fixture.root)
        let plan = Migrator(migration: migration).plan(workspace, compilerIndex: index)
        #expect(plan.attention.isEmpty, "\(plan.attention.map(\.description))")
        #expect(plan.resolvedBy.contains { $0.contains("from the compiler index") } && !plan.resolvedBy.contains { $0.contains("syntax resolver") },
                "\(plan.resolvedBy)")
        let expectedRoot = fixturePath("index/Records/expected")
        for edit in plan.edits {
            let expected = try? String(contentsOfFile: expectedRoot + "/" + edit.path, encoding: .utf8)
            #expect(edit.newText == expected, "\(edit.path) differs from expected/\(edit.path):\n\(edit.newText)")
        }
        #expect(plan.edits.map(\.path).sorted() == ["Sources/Records/PlayEvent.swift", "Tests/RecordsTests/RecordsTests.swift"])
        _ = try workspace.write(plan.edits)
        let after = runProgram("swift", ["test"], in: fixture.root)
        #expect(after.status == 0, "the renamed package's tests fail: \(after.stdout.suffix(3000))")
    }
}

/// Reads the index store a `swift build` of `root` wrote, for the migration's names, with the
/// `skein-index` reader as skein runs it.
func readCompilerIndex(root: String, migration: Migration) throws -> CompilerIndex {
    let build = root + "/.build"
    let triples = (try? FileManager.default.contentsOfDirectory(atPath: build)) ?? []
    let store = try #require(triples.map { build + "/" + $0 + "/debug/index/store" }.first { FileManager.default.fileExists(atPath: $0) },
                             "no index store under \(build)")
    let names = Migrator(migration: migration).compilerIndexNames(Workspace(root: root))
    let directory = TemporaryDirectory("skein-index-read")
    let input = directory.url("query.json"), output = directory.url("index.json")
    try JSONEncoder().encode(CompilerIndexQuery(store: store, packageRoot: root, names: names)).write(to: URL(fileURLWithPath: input))
    let ran = runProgram(indexReaderExecutable, [input, output])
    try #require(ran.status == 0, "skein-index failed: \(ran.stderr)")
    return try JSONDecoder().decode(CompilerIndex.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
}

/// The `skein-index` binary built beside the test bundle.
let indexReaderExecutable: String = ((skeinExecutable as NSString).deletingLastPathComponent as NSString).appendingPathComponent("skein-index")

/// The changes of a `change.json`: a list of `{"kind": ..., ...}` as the golden sidecars spell them.
func indexChanges(_ path: String) throws -> [Change] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    return try list.map { json in
        func string(_ key: String) -> String { json[key] as? String ?? "" }
        switch string("kind") {
        case "renameType": return .renameType(from: string("from"), to: string("to"))
        case "renameMember":
            return .renameMember(type: string("type"), from: string("from"), to: string("to"),
                                 kind: (json["memberKind"] as? String).flatMap(MemberKind.init(rawValue:)))
        default: throw InputError("\(path): unknown kind \(string("kind"))")
        }
    }
}
