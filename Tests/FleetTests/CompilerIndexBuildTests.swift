import Foundation
import Rewrite
import Sandbox
import SkeinBasics
import Testing
import TestSupport
@testable import Fleet

/// Building a consumer at its base in the sandbox for its compiler index, before planning: the
/// store's sandbox paths come back as worktree paths, a base that does not build leaves the
/// renames to the syntax resolver and says so, and a store written to hurt cannot crash skein
/// or point it outside the worktree.
@Suite(.serialized)
struct CompilerIndexBuildTests {
    /// A package copied into a worktree-like folder, with its own build cache.
    struct Consumer {
        let directory = TemporaryDirectory("skein-index-build")
        var worktree: String { directory.url("worktree") }
        var cache: String { directory.url("cache") }

        init(copying package: String) throws {
            let copied = runProgram("cp", ["-R", package, directory.url("worktree")])
            try #require(copied.status == 0, "\(copied.stderr)")
        }

        func build(names: [String]) -> CompilerIndexBuild.Outcome {
            let policy = SandboxPolicy(worktree: worktree, buildCache: cache, logFile: directory.url("logs/index.log"), timeout: 900)
            return CompilerIndexBuild(names: names, runner: TestRunner(policy: policy), sandboxed: { try $0() },
                                      testCommand: "swift test").run()
        }
    }

    static let shapesChanges: [Change] = [
        .renameMember(type: "Sign", from: "minus", to: "negative", kind: .case),
        .renameMember(type: "Shape", from: "area", to: "surface", kind: .method),
        .renameType(from: "Outer.Inner", to: "Core"),
    ]

    @Test(.enabled(if: Bubblewrap.isAvailable()))
    func theBaseIsBuiltInTheSandboxAndItsIndexDrivesThePlan() throws {
        let consumer = try Consumer(copying: fixturePath("index/Shapes/input"))
        let migration = Migration(id: "shapes", schemaCommit: "", datasets: ["all"], changes: Self.shapesChanges, transitions: [])
        let workspace = Workspace(root: consumer.worktree)
        let names = Migrator(migration: migration).compilerIndexNames(workspace)
        #expect(names.contains("minus") && names.contains("Inner") && names.contains("Outer"))

        let outcome = consumer.build(names: names)
        #expect(outcome.attention.isEmpty, "\(outcome.attention)")
        let index = try #require(outcome.index, "no index: \(outcome.notes)")
        // Built at /package in the sandbox; read back as worktree paths.
        #expect(index.files.contains("Sources/Shapes/Signs.swift"))
        #expect(index.occurrences.allSatisfy { !$0.path.hasPrefix("/") })
        #expect(index.dropped.isEmpty, "\(index.dropped)")

        let plan = Migrator(migration: migration).plan(workspace, compilerIndex: index)
        let signs = try #require(plan.edits.first { $0.path == "Sources/Shapes/Signs.swift" }?.newText)
        #expect(signs.contains("case (.negative, .negative), (.plus, .plus)"))
        let nodes = try #require(plan.edits.first { $0.path == "Sources/Shapes/Nodes.swift" }?.newText)
        #expect(nodes.contains("public func nested() -> Outer.Core { Outer.Core(depth: 2) }"))
        #expect(nodes.contains("public struct Inner {\n    public var label"))
        #expect(plan.resolvedBy.contains { $0.contains("from the compiler index") })

        // The same store read as if the package had been somewhere else: every path is outside
        // the root, so nothing is kept and each is listed.
        let store = try #require(CompilerIndexBuild.findStore(in: consumer.cache + "/build"))
        let reader = try #require(HelperProcess.find("skein-index") ?? Self.readerBesideSkein)
        let elsewhere = try CompilerIndexBuild.read(CompilerIndexQuery(store: store, packageRoot: "/elsewhere", names: names),
                                                   reader: reader, timeout: 120)
        #expect(elsewhere.occurrences.isEmpty && elsewhere.files.isEmpty)
        #expect(elsewhere.dropped.contains { $0.hasPrefix("/package/") })

        // A store overwritten with junk: the reader may fail or read less, skein goes on and
        // nothing it reports leaves the worktree.
        let hostile = consumer.directory.url("hostile-store")
        #expect(runProgram("cp", ["-R", store, hostile]).status == 0)
        var corrupted = 0
        for relative in try FileManager.default.subpathsOfDirectory(atPath: hostile) {
            let path = hostile + "/" + relative
            var directory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &directory), !directory.boolValue else { continue }
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            // Keep the headers, scramble the rest: what makes a reader trust a length it should not.
            for position in stride(from: min(16, bytes.count), to: bytes.count, by: 3) { bytes[position] = UInt8(truncatingIfNeeded: position &* 131) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            corrupted += 1
        }
        #expect(corrupted > 0)
        do {
            let read = try CompilerIndexBuild.read(CompilerIndexQuery(store: hostile, packageRoot: "/package", names: names),
                                                   reader: reader, timeout: 120)
            #expect(read.occurrences.allSatisfy { CompilerIndexBuild.isInside($0.path) })
            #expect(read.files.allSatisfy { CompilerIndexBuild.isInside($0) })
        } catch {
            #expect(String(describing: error).contains("index store reader"), "\(error)")
        }
        // A store the build folder links out to is not read.
        let build = consumer.directory.url("linked-build")
        try FileManager.default.createDirectory(atPath: build + "/x86_64-unknown-linux-gnu/debug/index", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: build + "/x86_64-unknown-linux-gnu/debug/index/store", withDestinationPath: store)
        #expect(CompilerIndexBuild.findStore(in: build) == nil)
        #expect(!CompilerIndexBuild.isInside("../outside.swift"))
        #expect(!CompilerIndexBuild.isInside("/etc/passwd"))
        #expect(!CompilerIndexBuild.isInside("Sources/../../x.swift"))
        #expect(!CompilerIndexBuild.isInside(".build/checkouts/Dep/Sources/A.swift"))
    }

    @Test(.enabled(if: Bubblewrap.isAvailable()))
    func aBaseThatDoesNotBuildLeavesTheRenamesToTheSyntaxResolverAndSaysSo() throws {
        let directory = TemporaryDirectory("skein-broken-package")
        directory.write("package/Package.swift", """
            // swift-tools-version: 5.9
            import PackageDescription
            let package = Package(name: "Broken", targets: [.target(name: "Broken")])
            """)
        directory.write("package/Sources/Broken/Broken.swift", """
            public enum Sign { case plus, minus }
            public func flip(_ sign: Sign) -> Sign { sign == .plus ? .minus : undefinedName }
            """)
        let consumer = try Consumer(copying: directory.url("package"))
        let outcome = consumer.build(names: ["minus", "Sign"])
        #expect(outcome.index == nil)
        let line = try #require(outcome.attention.first, "\(outcome.notes)")
        #expect(line.contains("the base does not build"))
        #expect(line.contains("undefinedName"))
        #expect(line.contains("syntax resolver"))

        // The plan still happens, by the resolver.
        let migration = Migration(id: "broken", schemaCommit: "", datasets: ["all"],
                                  changes: [.renameMember(type: "Sign", from: "minus", to: "negative", kind: .case)], transitions: [])
        let plan = Migrator(migration: migration).plan(Workspace(root: consumer.worktree), compilerIndex: outcome.index)
        #expect(plan.edits.first?.newText.contains("case plus, negative") == true)
        #expect(plan.resolvedBy.isEmpty)
    }

    @Test(.enabled(if: Bubblewrap.isAvailable()))
    func testsThatDoNotBuildLeaveTheSourcesToTheIndexAndTheTestsToTheResolver() throws {
        let directory = TemporaryDirectory("skein-broken-tests")
        directory.write("package/Package.swift", """
            // swift-tools-version: 5.9
            import PackageDescription
            let package = Package(name: "Half", targets: [
                .target(name: "Half"), .testTarget(name: "HalfTests", dependencies: ["Half"]),
            ])
            """)
        directory.write("package/Sources/Half/Half.swift", "public enum Sign { case plus, minus }\n")
        directory.write("package/Tests/HalfTests/HalfTests.swift", """
            import Half
            import XCTest
            final class HalfTests: XCTestCase {
                func testMinus() { XCTAssertEqual(Sign.minus, onlyOnAnotherPlatform) }
            }
            """)
        let consumer = try Consumer(copying: directory.url("package"))
        let outcome = consumer.build(names: ["minus", "Sign"])
        #expect(outcome.attention.isEmpty, "\(outcome.attention)")
        let index = try #require(outcome.index, "\(outcome.notes)")
        #expect(index.files == ["Sources/Half/Half.swift"])
        #expect(outcome.notes.contains { $0.contains("tests do not build") && $0.contains("onlyOnAnotherPlatform") }, "\(outcome.notes)")
    }

    /// Whatever the store does to the reader (crash it, hang it, make it print a lie), skein
    /// goes on with an error it can report, and keeps nothing pointing outside the worktree.
    @Test func aReaderThatCrashesHangsOrLiesIsSurvived() throws {
        let directory = TemporaryDirectory("skein-hostile-reader")
        let query = CompilerIndexQuery(store: directory.path, packageRoot: "/package", names: ["minus"])
        func reader(_ name: String, _ script: String) -> String {
            let path = directory.write(name, "#!/bin/sh\n" + script + "\n")
            chmod(path, 0o755)
            return path
        }
        #expect(throws: FleetError.self) {
            try CompilerIndexBuild.read(query, reader: reader("crash", "kill -SEGV $$"), timeout: 30)
        }
        do {
            _ = try CompilerIndexBuild.read(query, reader: reader("crash2", "kill -SEGV $$"), timeout: 30)
        } catch {
            #expect(String(describing: error).contains("killed by signal 11"), "\(error)")
        }
        #expect(throws: FleetError.self) {
            try CompilerIndexBuild.read(query, reader: reader("hang", "sleep 60"), timeout: 2)
        }
        // A reader that writes paths leaving the worktree: they are dropped, and listed.
        let lie = #"{"symbols":{"s:1A1BV":{"usr":"s:1A1BV","name":"B","kind":"struct"}},"occurrences":[{"usr":"s:1A1BV","path":"../../etc/passwd","line":1,"column":1,"roles":4,"relations":[]},{"usr":"s:1A1BV","path":"Sources/A/B.swift","line":1,"column":8,"roles":2,"relations":[]}],"files":["/etc/passwd","Sources/A/B.swift"],"dropped":[],"truncated":false}"#
        let liar = reader("lie", "printf '%s' '\(lie)' > \"$2\"")
        let read = try CompilerIndexBuild.read(query, reader: liar, timeout: 30)
        #expect(read.occurrences.map(\.path) == ["Sources/A/B.swift"])
        #expect(read.files == ["Sources/A/B.swift"])
        #expect(read.dropped.contains("../../etc/passwd") && read.dropped.contains("/etc/passwd"))
    }

    @Test func aConsumerWithNothingForSwiftRenamesIsNotBuilt() throws {
        let consumer = try Consumer(copying: fixturePath("index/Shapes/input"))
        let outcome = consumer.build(names: [])
        #expect(outcome.index == nil && outcome.notes.isEmpty && outcome.attention.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: consumer.cache + "/build"))
    }

    static let readerBesideSkein: String = ((skeinExecutable as NSString).deletingLastPathComponent as NSString)
        .appendingPathComponent("skein-index")
}
