import Foundation
import Rewrite
import Sandbox
import SkeinBasics
import Testing
import TestSupport
@testable import Fleet

/// After a rewrite that missed a reference, the compiler's `type 'T' has no member 'old'` for a
/// member the migration renamed is repaired once (that token only) and the build runs again.
struct RepairRoundTests {
    static let migration = Migration(id: "signs", schemaCommit: "", datasets: ["all"],
                                     changes: [.renameMember(type: "Sign", from: "minus", to: "negative", kind: .case)], transitions: [])

    @Test(.enabled(if: Bubblewrap.isAvailable()))
    func aMissedReferenceTheCompilerNamesIsRepairedAndTheBuildPasses() throws {
        let directory = TemporaryDirectory("skein-repair")
        directory.write("worktree/Package.swift", """
            // swift-tools-version: 5.9
            import PackageDescription
            let package = Package(name: "Signs", targets: [.target(name: "Signs")])
            """)
        // The declaration was renamed; one use was missed.
        let written = """
            public enum Sign { case plus, negative }
            public let fallback = Sign.minus
            public func other(_ text: String) -> Int { text.count }
            """
        directory.write("worktree/Sources/Signs/Signs.swift", written)
        let policy = SandboxPolicy(worktree: directory.url("worktree"), buildCache: directory.url("cache"),
                                   logFile: directory.url("logs/after.log"), timeout: 600)
        let runner = TestRunner(policy: policy)
        let first = try AfterBuild.run(runner, command: "swift build", sandboxed: { try $0() })
        #expect(first.report.outcome == .buildFailed)
        let repair = try RepairRound(migration: Self.migration, workspace: Workspace(root: directory.url("worktree")),
                                     runner: runner, command: "swift build",
                                     planned: [FileEdit(path: "Sources/Signs/Signs.swift", newText: written)])
            .run(after: first.report, crash: first.crash, sandboxed: { try $0() })
        #expect(repair.edits.map(\.path) == ["Sources/Signs/Signs.swift"])
        #expect(repair.notes == ["Sources/Signs/Signs.swift:2: `minus` → `negative` repaired after the build (the compiler named it)"])
        #expect(repair.report.outcome == .passed, "\(repair.report.buildErrors)")
        let text = try String(contentsOfFile: directory.url("worktree/Sources/Signs/Signs.swift"), encoding: .utf8)
        #expect(text.contains("public let fallback = Sign.negative\n"))
    }

    @Test func onlyMembersTheMigrationRenamedOnTheirOwnerAreRepaired() throws {
        let log = """
            /package/Sources/A/A.swift:1:14: error: type 'Sign' has no member 'minus'
            /package/Sources/A/A.swift:2:15: error: type 'Other' has no member 'minus'
            /package/Sources/A/A.swift:3:14: error: type 'Sign' has no member 'unrelated'
            /package/../../etc/passwd:1:1: error: type 'Sign' has no member 'minus'
            /elsewhere/A.swift:1:14: error: type 'Sign' has no member 'minus'
            """
        let missing = RepairRound.missingMembers(in: log, packageRoot: "/package")
        #expect(missing.count == 3)
        // Only files skein wrote are repaired, from the bytes it wrote.
        let planned = [FileEdit(path: "Sources/A/A.swift", newText: "let a = Sign.minus\nlet b = Other.minus\nlet c = Sign.unrelated\n")]
        let repairs = Migrator(migration: Self.migration).repairs(missing, in: planned)
        #expect(repairs.edits == [FileEdit(path: "Sources/A/A.swift", newText: "let a = Sign.negative\nlet b = Other.minus\nlet c = Sign.unrelated\n")])
        #expect(Migrator(migration: Self.migration).repairs(missing, in: []).edits.isEmpty)
    }
}
