import Foundation
@testable import Rewrite
import SkeinBasics
import Testing
import TestSupport

/// The config rewrites driven through a worktree: links are never followed, excluded paths are
/// never edited.
@Suite struct ConfigWorkspaceTests {
    @Test func symbolicLinksOutOfTheWorktreeAreNeitherReadNorWritten() throws {
        let worktree = TemporaryDirectory("config-worktree")
        let outside = TemporaryDirectory("config-outside")
        let location = "location: gs://listening-data/plays/v1\n"
        worktree.write("config/pipeline.yaml", location)
        let target = outside.write("secret.yaml", location)
        outside.write("shared/settings.json", #"{"path": "gs://listening-data/plays/v1"}"#)
        try FileManager.default.createSymbolicLink(atPath: worktree.url("config/linked.yaml"), withDestinationPath: target)
        try FileManager.default.createSymbolicLink(atPath: worktree.url("shared"), withDestinationPath: outside.url("shared"))
        let before = try FileManager.default.attributesOfItem(atPath: target)[.modificationDate] as? Date

        let result = try Migrator(migration: playsV2Migration()).apply(to: Workspace(root: worktree.path))

        #expect(result.edits.map(\.path) == ["config/pipeline.yaml"])
        #expect(try String(contentsOfFile: worktree.url("config/pipeline.yaml"), encoding: .utf8) == "location: gs://listening-data/plays/v2\n")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == location)
        #expect(try String(contentsOfFile: outside.url("shared/settings.json"), encoding: .utf8).contains("plays/v1"))
        #expect(try FileManager.default.attributesOfItem(atPath: target)[.modificationDate] as? Date == before)
        // The links stay links, and are reported.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: worktree.url("config/linked.yaml")) == target)
        #expect(Set(result.skipped.map(\.path)) == ["config/linked.yaml", "shared"])
        #expect(result.attention.isEmpty)
    }

    @Test func excludedPathsAreNotEdited() throws {
        let worktree = TemporaryDirectory("config-worktree")
        let text = "location: gs://listening-data/plays/v1\n"
        worktree.write("config/pipeline.yaml", text)
        worktree.write("vendor/pipeline.yaml", text)
        let workspace = Workspace(root: worktree.path, exclude: [Glob("vendor/")])
        let result = try Migrator(migration: playsV2Migration()).apply(to: workspace)
        #expect(result.edits.map(\.path) == ["config/pipeline.yaml"])
        #expect(try String(contentsOfFile: worktree.url("vendor/pipeline.yaml"), encoding: .utf8) == text)
    }

    @Test func unparsableFilesAreSkippedWithAReason() {
        let result = ConfigRewriter(migration: playsV2Migration())
            .rewrite(SourceFile(path: "broken.json", text: #"{"path": "gs://listening-data/plays/v1""#))
        #expect(result.edits.isEmpty)
        #expect(result.skipped.first?.reason.contains("cannot be parsed") == true)
        #expect(result.attention.map(\.description) == ["broken.json:1: cannot be parsed: unexpected end of file in an object; not rewritten"])
    }
}
