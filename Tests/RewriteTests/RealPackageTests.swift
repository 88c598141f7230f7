import Foundation
import SkeinBasics
import TestSupport
import Testing
@testable import Rewrite

/// Proof on real code: clones real third-party packages, renames symbols used across many of
/// their files (protocol requirements, enum cases, nested types, members whose name another type
/// or the standard library shares), then builds the package and runs its own tests, which must
/// stay green, and checks the same-named other symbols are untouched.
///
/// Slower than the rest (it builds each package twice over, about a minute in all); set
/// `SKEIN_REAL_PACKAGES=0` to leave it out of a local run.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SKEIN_REAL_PACKAGES"] != "0"), .serialized)
struct RealPackageTests {
    struct Case: CustomStringConvertible, Sendable {
        var repository: String
        var tag: String
        var changes: [Change]
        /// `path: text` pairs that must still be in the rewritten package (other symbols of the
        /// same name), and that must no longer be there.
        var untouched: [(String, String)]
        var gone: [(String, String)]
        var minimumEdits: Int
        /// `swift` arguments that must succeed after the rewrite: the package's own tests, or a
        /// build where its tests do not build on Linux even before any rewrite.
        var command: [String] = ["test"]
        var description: String { "\(repository)@\(tag)" }
    }

    static let cases: [Case] = [
        Case(
            repository: "davecom/SwiftGraph", tag: "4.0.0",
            changes: [
                // A protocol requirement: witnesses in UnweightedEdge and WeightedEdge follow; the
                // standard library's `reversed()` on arrays and strings does not.
                .renameMember(type: "Edge", from: "reversed", to: "flipped", kind: .method),
                // A requirement of a second protocol, implemented by a generic struct.
                .renameMember(type: "WeightedEdgeProtocol", from: "weight", to: "cost", kind: nil),
            ],
            untouched: [("Sources/SwiftGraph/Search.swift", ".reversed()")],
            gone: [("Sources/SwiftGraph/WeightedEdge.swift", "func reversed()"), ("Sources/SwiftGraph/Edge.swift", "func reversed()")],
            minimumEdits: 5,
            command: ["test", "--skip", "PerformanceTests"]),
        Case(
            repository: "JohnSundell/Files", tag: "4.3.0",
            changes: [
                // An enum case whose name is also a local name, a parameter and a type's name.
                .renameMember(type: "LocationKind", from: "file", to: "regularFile", kind: .case),
                // A nested generic type.
                .renameType(from: "Folder.ChildSequence", to: "Children"),
            ],
            untouched: [("Sources/Files.swift", "public struct File: Location"), ("Sources/Files.swift", "func file(named")],
            gone: [("Sources/Files.swift", "    case file\n"), ("Sources/Files.swift", "struct ChildSequence"), ("Sources/Files.swift", "Folder.ChildSequence<")],
            minimumEdits: 5,
            // Its tests override a FileManager method that corelibs-foundation does not let
            // them override: they fail to compile on Linux at the tag itself.
            command: ["build"]),
        Case(
            repository: "mxcl/Version", tag: "2.2.1",
            changes: [
                // A stored property used across every file of the package and its tests.
                .renameMember(type: "Version", from: "major", to: "majorComponent", kind: .property),
            ],
            untouched: [],
            gone: [("Sources/Version.swift", "let major:")],
            minimumEdits: 10),
    ]

    /// Renames only the compiler index gets right: the syntax resolver leaves some references
    /// undecided (a member reached through a constrained extension of a standard library type).
    static let indexCases: [Case] = [
        Case(
            repository: "mxcl/Version", tag: "2.2.1",
            changes: [
                // Used as `lowerBound.prereleaseIdentifiers` in `extension ClosedRange where Bound == Version`.
                .renameMember(type: "Version", from: "prereleaseIdentifiers", to: "prerelease", kind: .property),
            ],
            untouched: [],
            gone: [("Sources/Version+Range.swift", "prereleaseIdentifiers"), ("Sources/Version.swift", "let prereleaseIdentifiers:")],
            minimumEdits: 20),
    ]

    @Test(arguments: indexCases)
    func indexRenamesEqualTheCompilersAndKeepThePackageGreen(_ real: Case) throws {
        let directory = TemporaryDirectory("skein-real-index")
        let root = directory.url("package")
        let clone = runProgram("git", ["clone", "-q", "--branch", real.tag, "https://github.com/\(real.repository)", root],
                               in: directory.path, environment: ["GIT_ADVICE": "0"])
        try #require(clone.status == 0, "\(real): clone failed: \(clone.stderr)")
        // The base is built first, as skein builds each consumer before planning its renames.
        let base = runProgram("swift", ["build", "--build-tests"], in: root)
        try #require(base.status == 0, "\(real): the base does not build: \(base.stdout.suffix(3000))")

        let migration = Migration(id: "real", schemaCommit: "", datasets: ["all"], changes: real.changes, transitions: [])
        let workspace = Workspace(root: root)
        let index = try readCompilerIndex(root: root, migration: migration)
        let result = Migrator(migration: migration).plan(workspace, compilerIndex: index)
        let bySyntax = Migrator(migration: migration).plan(workspace)
        print("\(real): \(result.counts), resolved by: \(result.resolvedBy); syntax alone: \(bySyntax.attention.count) attention")
        #expect(result.attention.isEmpty, "\(real): \(result.attention.map(\.description))")
        #expect(!bySyntax.attention.isEmpty, "\(real): the syntax resolver alone should leave something undecided here")
        #expect(result.resolvedBy.allSatisfy { !$0.contains("syntax resolver") }, "\(result.resolvedBy)")
        #expect(result.counts.values.reduce(0, +) >= real.minimumEdits)
        _ = try workspace.write(result.edits)
        for (path, text) in real.gone {
            let content = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
            #expect(!content.contains(text), "\(real): \(path) should no longer contain \(text)")
        }
        if ProcessInfo.processInfo.environment["SKEIN_REAL_PACKAGES_BUILD"] == "0" { return }
        let test = runProgram("swift", real.command, in: root)
        #expect(test.status == 0, "\(real): swift \(real.command.joined(separator: " ")) failed:\n\(test.stdout.suffix(4000))")
    }

    @Test(arguments: cases)
    func renamesKeepThePackageGreen(_ real: Case) throws {
        let directory = TemporaryDirectory("skein-real")
        let root = directory.url("package")
        // The user's git configuration applies here (mirrors, proxies): only the clone uses it.
        let clone = runProgram("git", ["clone", "-q", "--branch", real.tag, "https://github.com/\(real.repository)", root],
                               in: directory.path, environment: ["GIT_ADVICE": "0"])
        try #require(clone.status == 0, "\(real): clone failed: \(clone.stderr)")

        let migration = Migration(id: "real", schemaCommit: "", datasets: ["all"], changes: real.changes, transitions: [])
        let workspace = Workspace(root: root)
        let started = Date()
        let result = SwiftRewriter(migration: migration).rewrite(workspace.read().swift)
        let seconds = Date().timeIntervalSince(started)
        print("\(real): \(result.edits.count) files, counts \(result.counts), \(result.attention.count) attention, \(String(format: "%.2f", seconds))s")
        for item in result.attention { print("  attention: \(item)") }
        _ = try workspace.write(result.edits)
        print(git("diff", "--stat", in: root))
        if ProcessInfo.processInfo.environment["SKEIN_REAL_PACKAGES_DIFF"] == "1" { print(git("diff", in: root)) }

        #expect(result.edits.count >= 1)
        #expect(result.counts.values.reduce(0, +) >= real.minimumEdits)
        for (path, text) in real.untouched {
            let content = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
            #expect(content.contains(text), "\(real): \(path) should still contain \(text)")
        }
        for (path, text) in real.gone {
            let content = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
            #expect(!content.contains(text), "\(real): \(path) should no longer contain \(text)")
        }
        let again = SwiftRewriter(migration: migration).rewrite(workspace.read().swift)
        #expect(again.edits.isEmpty, "\(real): a second run changes nothing")

        if ProcessInfo.processInfo.environment["SKEIN_REAL_PACKAGES_BUILD"] == "0" { return }
        let test = runProgram("swift", real.command, in: root)
        #expect(test.status == 0, "\(real): swift \(real.command.joined(separator: " ")) failed:\n\(test.stdout.suffix(4000))\n\(test.stderr.suffix(4000))")
    }
}
