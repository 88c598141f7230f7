import Foundation
import Schema
import SkeinBasics
import Testing
import TestSupport

@Suite struct RegistryTests {
    func fixture(_ relative: String) -> String {
        try! String(contentsOfFile: fixturePath("fleet/registry/" + relative), encoding: .utf8)
    }

    /// A registry at v1 of the fixture, then the fixture's v2 commit.
    func fixtureRegistry(_ directory: TemporaryDirectory) -> (path: String, v1: String, v2: String) {
        let path = directory.url("registry")
        let v1 = makeRepository(at: path, files: [
            "skein.yaml": fixture("v1/skein.yaml"),
            "datasets/plays.yaml": fixture("v1/datasets/plays.yaml"),
            "datasets/users.yaml": fixture("v1/datasets/users.yaml"),
        ])
        let v2 = commit(files: ["datasets/plays.yaml": fixture("v2/datasets/plays.yaml")], in: path, message: "plays v2")
        return (path, v1, v2)
    }

    @Test func plansTheHeadCommit() throws {
        let directory = TemporaryDirectory()
        let (path, _, v2) = fixtureRegistry(directory)
        let plan = try Registry(path: path).plan(commit: nil)
        #expect(plan.errors.isEmpty)
        #expect(plan.migrations.count == 1)
        let migration = try #require(plan.migrations.first)
        #expect(migration.id == "plays-v2")
        #expect(migration.schemaCommit == v2)
        #expect(migration.datasets == ["plays"])
        #expect(migration.changes.map(\.kind) == ["moveLocation", "bumpVersion", "renameField", "changeFieldType", "removeField"])
        #expect(migration.transitions.first?.old?.version == 1)
        #expect(migration.transitions.first?.new.version == 2)
        #expect(migration.transitions.first?.record == "PlayEvent")
    }

    @Test func theFirstCommitReportsNewDatasetsWithoutMigrating() throws {
        let directory = TemporaryDirectory()
        let (path, v1, _) = fixtureRegistry(directory)
        let plan = try Registry(path: path).plan(commit: v1)
        #expect(plan.migrations.isEmpty)
        #expect(plan.notes.count == 2)
        #expect(plan.notes.contains { $0.contains("datasets/plays.yaml: new dataset `plays`") })
    }

    @Test func aRangeIsPlannedCommitByCommit() throws {
        let directory = TemporaryDirectory()
        let (path, v1, _) = fixtureRegistry(directory)
        let v3Text = fixture("v2/datasets/plays.yaml")
            .replacingOccurrences(of: "version: 2", with: "version: 3")
            .replacingOccurrences(of: "  - name: context\n", with: "  - name: listening_context\n    previously: context\n")
        let v3 = commit(files: ["datasets/plays.yaml": v3Text], in: path, message: "plays v3")
        let registry = try Registry(path: path)
        let plan = try registry.plan(from: v1, to: v3)
        #expect(plan.migrations.map(\.id) == ["plays-v2", "plays-v3"])
        #expect(plan.migrations[1].schemaCommit == v3)
        // Catch-up: v3 carries v1's names too, each from the version it takes consumers from.
        let v3Plan = plan.migrations[1]
        #expect(v3Plan.changes == [
            .moveLocation(dataset: "plays", from: "gs://listening-data/plays/v1", to: "gs://listening-data/plays/v2"),
            .bumpVersion(dataset: "plays", from: 1, to: 3), .bumpVersion(dataset: "plays", from: 2, to: 3),
            .renameField(dataset: "plays", from: "track_id", to: "track_uri"),
            .renameField(dataset: "plays", from: "context", to: "listening_context"),
            .changeFieldType(dataset: "plays", field: "ms_played", from: ColumnType(.int32), to: ColumnType(.int64)),
            .removeField(dataset: "plays", field: "client_version"),
        ])
        #expect(v3Plan.origins[.bumpVersion(dataset: "plays", from: 2, to: 3)] == 2)
        #expect(v3Plan.origins[.renameField(dataset: "plays", from: "track_id", to: "track_uri")] == 1)
        #expect(v3Plan.transitions.first?.earlier.map(\.version) == [1])
        #expect(try registry.plan(commit: "\(v1)..\(v3)").migrations.count == 2)
        #expect(try registry.plan(from: v3, to: v3).migrations.isEmpty)
    }

    @Test func aMalformedDatasetStopsOnlyItsOwnMigration() throws {
        let directory = TemporaryDirectory()
        let (path, _, _) = fixtureRegistry(directory)
        let users = fixture("v1/datasets/users.yaml")
            .replacingOccurrences(of: "version: 3", with: "version: 4")
            .replacingOccurrences(of: "    type: string\n  - name: country", with: "    type: text\n  - name: country")
        let plays = fixture("v2/datasets/plays.yaml").replacingOccurrences(of: "version: 2", with: "version: 3")
            .replacingOccurrences(of: "plays/v2", with: "plays/v3")
        commit(files: ["datasets/users.yaml": users, "datasets/plays.yaml": plays], in: path, message: "both")
        let plan = try Registry(path: path).plan(commit: nil)
        #expect(plan.migrations.map(\.id) == ["plays-v3"])
        #expect(plan.errors.map(\.description) == [
            "datasets/users.yaml:7: unknown field type `text` for field `user_id` (expected one of string, bool, int32, int64, float, double, timestamp, date, bytes)",
        ])
    }

    @Test func aVersionGoingDownIsAnError() throws {
        let directory = TemporaryDirectory()
        let (path, _, _) = fixtureRegistry(directory)
        commit(files: ["datasets/plays.yaml": fixture("v2/datasets/plays.yaml").replacingOccurrences(of: "version: 2", with: "version: 1")],
               in: path, message: "down")
        let plan = try Registry(path: path).plan(commit: nil)
        #expect(plan.migrations.isEmpty)
        #expect(plan.errors.first?.description == "datasets/plays.yaml:3: `version` goes down from 2 to 1")
    }

    @Test func aRenamedDatasetFileIsARenameNotANewDataset() throws {
        let directory = TemporaryDirectory()
        let (path, _, _) = fixtureRegistry(directory)
        let listens = fixture("v2/datasets/plays.yaml")
            .replacingOccurrences(of: "name: plays\n", with: "name: listens\npreviously: plays\n")
            .replacingOccurrences(of: "version: 2", with: "version: 3")
        commit(files: ["datasets/listens.yaml": listens], removing: ["datasets/plays.yaml"], in: path, message: "rename")
        let plan = try Registry(path: path).plan(commit: nil)
        #expect(plan.errors.isEmpty)
        #expect(plan.notes.isEmpty)
        #expect(plan.migrations.map(\.id) == ["listens-v3"])
        // Catch-up: the rename is followed back to plays v1.
        #expect(plan.migrations.first?.changes.prefix(4) == [
            .renameDataset(from: "plays", to: "listens"),
            .moveLocation(dataset: "listens", from: "gs://listening-data/plays/v1", to: "gs://listening-data/plays/v2"),
            .bumpVersion(dataset: "listens", from: 1, to: 3), .bumpVersion(dataset: "listens", from: 2, to: 3),
        ])
        #expect(plan.migrations.first?.transitions.first?.names == ["plays", "listens"])
    }

    @Test func aDeletedDatasetIsReported() throws {
        let directory = TemporaryDirectory()
        let (path, _, _) = fixtureRegistry(directory)
        commit(files: [:], removing: ["datasets/users.yaml"], in: path, message: "drop users")
        let plan = try Registry(path: path).plan(commit: nil)
        #expect(plan.migrations.isEmpty)
        #expect(plan.notes.count == 1 && plan.notes[0].contains("datasets/users.yaml: dataset deleted"))
    }

    @Test func explicitMigrationsRunWhenACommitAddsThem() throws {
        let directory = TemporaryDirectory()
        let (path, _, _) = fixtureRegistry(directory)
        let sha = commit(files: ["migrations/plays-client-v3.yaml": """
            id: plays-client-v3
            datasets: [plays]
            rules:
              - renameType: { from: PlaysClient, to: ListeningClient }
            """], in: path, message: "client")
        let plan = try Registry(path: path).plan(commit: nil)
        #expect(plan.errors.isEmpty)
        let migration = try #require(plan.migrations.first)
        #expect(migration.id == "plays-client-v3")
        #expect(migration.schemaCommit == sha)
        #expect(migration.transitions.map(\.name) == ["plays"])
        #expect(migration.transitions.first?.old == nil)

        commit(files: ["migrations/bad.yaml": "id: bad\ndatasets: [podcasts]\nrules:\n  - run: { command: x }\n"], in: path, message: "bad")
        let bad = try Registry(path: path).plan(commit: nil)
        #expect(bad.migrations.isEmpty)
        #expect(bad.errors.first?.description.hasPrefix("migrations/bad.yaml:2: no dataset `podcasts` in the registry") == true)
    }

    @Test func aMigrationFileGivenByHand() throws {
        let directory = TemporaryDirectory()
        let (path, _, v2) = fixtureRegistry(directory)
        let file = directory.write("m.yaml", "id: everyone\ndatasets: all\nrules:\n  - renameModule: { from: PlaysKit, to: ListeningKit }\n")
        let plan = try Registry(path: path).plan(migrationFile: file)
        #expect(plan.migrations.first?.id == "everyone")
        #expect(plan.migrations.first?.schemaCommit == v2)
        #expect(plan.migrations.first?.transitions.map(\.name) == ["plays", "users"])
        let broken = directory.write("broken.yaml", "id: x\ndatasets: all\nrules:\n  - renameModule: { from: PlaysKit }\n")
        #expect(throws: SchemaError.self) { try Registry(path: path).plan(migrationFile: broken) }
    }

    @Test func settingsAndTransitionsForDiscovery() throws {
        let directory = TemporaryDirectory()
        let (path, _, _) = fixtureRegistry(directory)
        let registry = try Registry(path: path)
        #expect(registry.settings.mirrors == directory.url("mirrors"))
        #expect(registry.settings.jobs == 4)
        #expect(registry.settings.testCommand == "swift test")
        #expect(registry.settings.testTimeout == 600)
        #expect(registry.settings.sandbox == "bwrap")
        #expect(registry.settings.userName == "skein")
        let (transitions, errors) = try registry.transitions()
        #expect(errors.isEmpty)
        #expect(transitions.map(\.name) == ["plays", "users"])
        #expect(transitions[0].old?.location == "gs://listening-data/plays/v1")
        #expect(transitions[1].old == nil)

        // A bare registry reads skein.yaml from HEAD.
        let bare = directory.url("bare.git")
        git("clone", "-q", "--bare", path, bare, in: directory.path)
        #expect(try Registry(path: bare).settings.jobs == 4)
        #expect(try Registry(path: bare).plan(commit: nil).migrations.map(\.id) == ["plays-v2"])
    }

    @Test func badSettingsAndConsumerSettings() throws {
        #expect {
            try RegistrySettings.parse("jobs: 4\ntest:\n  timeout: soon\n", path: "skein.yaml", root: "/r")
        } throws: { error in
            "\(error)" == "skein.yaml:3: `test.timeout` (seconds) must be a number"
        }
        let consumer = try ConsumerSettings.parse(
            "test: { command: make check, timeout: 120 }\nautomerge: true\nexclude: [\"Generated/**\", vendor/]\n", path: ".skein.yaml")
        #expect(consumer.testCommand == "make check")
        #expect(consumer.testTimeout == 120)
        #expect(consumer.automerge)
        #expect(consumer.exclude.map(\.pattern) == ["Generated/**", "vendor/"])
        #expect {
            try ConsumerSettings.parse("automerge: yes please\n", path: ".skein.yaml")
        } throws: { error in
            "\(error)" == ".skein.yaml:1: `automerge` must be true or false"
        }
    }
}
