import Foundation
@testable import Rewrite
import SkeinBasics
import Testing
import TestSupport

/// The config and sample-data files of the bundled fixture fleet, migrated plays v1 → v2.
@Suite struct ConfigFleetTests {
    @Test func pipelineYAMLMovesLocationVersionAndColumns() {
        let input = readFixture("fleet/consumers/top-tracks/config/pipeline.yaml")
        let (output, result) = rewritten("config/pipeline.yaml", input)
        #expect(output == input
            .replacingOccurrences(of: "\"gs://listening-data/plays/v1\"", with: "\"gs://listening-data/plays/v2\"")
            .replacingOccurrences(of: "    version: 1\n", with: "    version: 2\n")
            .replacingOccurrences(of: "[user_id, track_id, ms_played]", with: "[user_id, track_uri, ms_played]"))
        #expect(output.contains("location: gs://listening-data/users/v3\n    version: 3"))
        #expect(result.attention.isEmpty)
        #expect(result.counts["bumpVersion plays: 1 → 2"] == 1)
        #expect(result.counts["renameField plays: track_id → track_uri"] == 1)
    }

    @Test(arguments: ["fleet/consumers/top-tracks/data/plays-sample.jsonl", "fleet/consumers/play-counter/data/plays.ndjson"])
    func sampleRowsRenameKeys(_ fixture: String) {
        let input = readFixture(fixture)
        let (output, result) = rewritten(fixture, input)
        #expect(output == input.replacingOccurrences(of: "\"track_id\":", with: "\"track_uri\":"))
        // The removed field's key stays in sample rows: decoders skip unknown keys.
        #expect(output.contains("\"client_version\": \"8.9.1\""))
        #expect(result.attention.isEmpty)
        #expect(result.counts["renameField plays: track_id → track_uri"] == 3)
    }

    @Test func settingsJSONMovesPathPrefixAndSchemaVersion() {
        let input = readFixture("fleet/consumers/play-counter/settings.json")
        let (output, result) = rewritten("settings.json", input)
        #expect(output == input
            .replacingOccurrences(of: "plays/v1/part-*", with: "plays/v2/part-*")
            .replacingOccurrences(of: "\"schema_version\": 1", with: "\"schema_version\": 2"))
        #expect(output.contains("\"output\": \"gs://insights/play-counts\""))
        #expect(result.attention.isEmpty)
    }

    @Test func reportPropertiesMovesOnPathBoundaryOnly() {
        let input = readFixture("fleet/consumers/reporting/report.properties")
        let (output, _) = rewritten("report.properties", input)
        #expect(output == input.replacingOccurrences(of: "plays/v1/daily", with: "plays/v2/daily"))
        #expect(output.contains("report.bucket=gs://listening-data/plays/v10\n"))
    }

    @Test func catalogInfoFollowsDatasetRenameOnly() {
        for consumer in ["top-tracks", "dashboard", "legacy-export", "client-audit"] {
            let input = readFixture("fleet/consumers/\(consumer)/catalog-info.yaml")
            // A schema change without a dataset rename leaves the descriptor alone.
            #expect(rewritten("catalog-info.yaml", input).0 == input)
            let (output, result) = rewritten("catalog-info.yaml", input, renamePlaysMigration())
            #expect(output.contains("resource:default/listens") || output.contains("resource:legacy/listens")
                || output.contains("[resource:listens]"), "\(consumer)")
            #expect(!output.contains("plays"), "\(consumer)")
            #expect(result.counts["renameDataset plays → listens"] == 1)
        }
        let top = readFixture("fleet/consumers/top-tracks/catalog-info.yaml")
        #expect(rewritten("catalog-info.yaml", top, renamePlaysMigration()).0
            == top.replacingOccurrences(of: "resource:default/plays,", with: "resource:default/listens,"))
    }

    @Test func untouchedConsumersStayByteIdentical() {
        for fixture in ["fleet/consumers/weather/catalog-info.yaml", "fleet/registry/v1/datasets/users.yaml"] {
            let result = ConfigRewriter(migration: playsV2Migration()).rewrite(SourceFile(path: "x.yaml", text: readFixture(fixture)))
            #expect(result.edits.isEmpty)
            #expect(result.attention.isEmpty)
        }
    }

    /// Every consumer of the fleet, planned whole: only the expected config files change and no
    /// config file needs a person (the Swift side is the Swift rewrites' to check).
    @Test func wholeConsumersPlanOnlyTheExpectedFiles() throws {
        let expected: [String: [String]] = [
            "top-tracks": ["config/pipeline.yaml", "data/plays-sample.jsonl"],
            "play-counter": ["data/plays.ndjson", "settings.json"],
            "reporting": ["report.properties"],
            "dashboard": [], "duration-stats": [], "legacy-export": [], "client-audit": [], "weather": [],
        ]
        for (consumer, files) in expected {
            let result = Migrator(migration: playsV2Migration()).plan(Workspace(root: fixturePath("fleet/consumers/\(consumer)")))
            #expect(result.edits.map(\.path).filter { !$0.hasSuffix(".swift") } == files, "\(consumer)")
            #expect(result.attention.filter { !$0.location.path.hasSuffix(".swift") }.isEmpty, "\(consumer)")
            #expect(result.skipped.isEmpty, "\(consumer)")
        }
    }
}
