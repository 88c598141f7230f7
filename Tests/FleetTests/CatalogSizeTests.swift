import Foundation
import GitKit
import Ledger
import SkeinBasics
import Testing
import TestSupport
@testable import Fleet

/// A huge `catalog-info.yaml` is reported, not parsed, and does not hide the consumer's
/// references.
struct CatalogSizeTests {
    @Test func anOversizeDescriptorIsReportedByNameAndTheSearchGoesOn() async throws {
        let directory = TemporaryDirectory()
        // Valid YAML naming the dataset, 2 MiB of it (the same shape as the 60 MB one that stalled runs).
        var huge = "kind: Component\nspec:\n  dependsOn: [resource:plays]\n  tags:\n"
        let tag = "    - " + String(repeating: "x", count: 60) + "\n"
        huge += String(repeating: tag, count: (2 << 20) / tag.utf8.count + 1)
        makeRepository(at: directory.url("up/huge"), files: [
            "catalog-info.yaml": huge,
            "Sources/App/Load.swift": "let source = \"gs://a/plays/v1\"\n",
        ])
        let mirrors = directory.url("mirrors")
        _ = try Mirror.add(source: directory.url("up/huge"), in: mirrors, policy: Ledger.mirrorPolicy)
        let plays = DatasetSpec(name: "plays", version: 1, location: "gs://a/plays/v1", fields: [])
        let report = try await Discovery.discover(mirrors: mirrors, datasets: [DatasetTransition(old: nil, new: plays)], jobs: 1)
        let consumer = try #require(report.datasets.first?.consumers.first)
        #expect(consumer.repo == "huge")
        #expect(!consumer.declared)
        #expect(consumer.evidence == ["Sources/App/Load.swift:1"])
        let problem = try #require(consumer.problems.first)
        #expect(problem.hasPrefix("catalog-info.yaml: "), "\(problem)")
        #expect(problem.contains("larger than the 1 MiB skein reads; its dependencies are not read"), "\(problem)")
    }
}
