import Foundation
import Schema
import SkeinBasics
import Testing
import TestSupport

@Suite struct DatasetFileTests {
    @Test func parsesTheFixtureDataset() throws {
        let text = try String(contentsOfFile: fixturePath("fleet/registry/v2/datasets/plays.yaml"), encoding: .utf8)
        let spec = try DatasetFile.parse(text, path: "datasets/plays.yaml")
        #expect(spec.name == "plays")
        #expect(spec.version == 2)
        #expect(spec.location == "gs://listening-data/plays/v2")
        #expect(spec.owner == "team-listening")
        #expect(spec.record == "PlayEvent")
        #expect(spec.fields.map(\.name) == ["user_id", "track_uri", "ms_played", "context"])
        #expect(spec.field(named: "track_uri")?.previously == "track_id")
        #expect(spec.field(named: "context")?.column == ColumnType(.string, nullable: true))
        #expect(spec.field(named: "ms_played")?.line == 14)
    }

    /// Each bad file and the line its error must name.
    static let invalid: [(text: String, line: Int, message: String)] = [
        ("name: plays\nversion: 1\nlocation: gs://a\nfields:\n  - name: a\n    type: varchar\n", 6, "unknown field type `varchar`"),
        ("name: plays\nversion: 1\nlocation: gs://a\nfields:\n  - name: a\n    type: string\n  - name: a\n    type: int32\n", 7, "duplicate field `a`"),
        ("version: 1\nlocation: gs://a\nfields: []\n", 1, "missing `name`"),
        ("name: plays\nlocation: gs://a\nfields: []\n", 1, "missing `version`"),
        ("name: plays\nversion: 1\nfields: []\n", 1, "missing `location`"),
        ("name: plays\nversion: 1\nlocation: gs://a\n", 1, "missing `fields`"),
        ("name: plays\nversion: one\nlocation: gs://a\nfields: []\n", 2, "`version` must be an integer"),
        ("name: plays\nversion: 1\nlocation: gs://a\nfields:\n  - name: a\n    type: string\n    nullable: maybe\n", 7, "`nullable` of field `a` must be true or false"),
        ("name: plays\nversion: 1\nlocation: gs://a\nfields:\n  - name: a\n    type: string\n    nulable: true\n", 7, "unknown key `nulable`"),
        ("name: plays\nversion: 1\nlocation: gs://a\nfields:\n  - name: a\n", 5, "field `a` has no `type`"),
        ("name: plays\nversion: 1\nlocation: [gs://a\nfields: []\n", 4, "YAML syntax error"),
        ("name: plays\nversion: 1\nversion: 2\nlocation: gs://a\nfields: []\n", 3, "duplicate key `version`"),
        ("name: plays\nversion: 1\nlocation: gs://a\nfields:\n  - name: b\n    type: string\n    previously: a\n  - name: a\n    type: string\n", 7, "`a` is still a field"),
        ("name: plays\nversion: 1\nlocation: gs://a\nswift:\n  record: 3Play\nfields: []\n", 5, "`swift.record` must be a Swift type name"),
        ("- a\n- b\n", 1, "must be a mapping"),
    ]

    @Test(arguments: 0..<invalid.count) func refusesBadFilesNamingTheLine(index: Int) {
        let bad = Self.invalid[index]
        #expect {
            try DatasetFile.parse(bad.text, path: "datasets/plays.yaml")
        } throws: { error in
            guard let error = error as? SchemaError else { return false }
            let ok = error.path == "datasets/plays.yaml" && error.line == bad.line && error.message.contains(bad.message)
            if !ok { Issue.record("got \(error), wanted line \(bad.line): \(bad.message)") }
            return ok && error.exitStatus == .badInput && error.description.hasPrefix("datasets/plays.yaml:\(bad.line): ")
        }
    }

    @Test func refusesTextThatIsNotUTF8NamingTheLine() {
        var data = Data("name: plays\nversion: 1\nlocation: gs://a\n".utf8)
        data.append(contentsOf: [0x6f, 0x77, 0x6e, 0x65, 0x72, 0x3a, 0x20, 0xff, 0xfe, 0x0a])
        #expect(throws: SchemaError(path: "datasets/plays.yaml", line: 4, message: "the file is not valid UTF-8 text")) {
            try DatasetFile.parse(data: data, path: "datasets/plays.yaml")
        }
    }

    @Test func aVersionGoingDownIsRefusedAtItsLine() throws {
        let old = try DatasetFile.parse("name: plays\nversion: 3\nlocation: gs://a\nfields: []\n", path: "datasets/plays.yaml")
        let new = try DatasetFile.document("# comment\nname: plays\nversion: 2\nlocation: gs://a\nfields: []\n", path: "datasets/plays.yaml")
        #expect {
            try DatasetFile.check(old: old, new: new)
        } throws: { error in
            (error as? SchemaError)?.line == 3 && "\(error)".contains("`version` goes down from 3 to 2")
        }
    }

    @Test func previouslyMustNameAFieldOfTheOldFile() throws {
        let old = try DatasetFile.parse(
            "name: plays\nversion: 1\nlocation: gs://a\nfields:\n  - name: a\n    type: string\n", path: "datasets/plays.yaml")
        let new = try DatasetFile.document(
            "name: plays\nversion: 2\nlocation: gs://a\nfields:\n  - name: b\n    type: string\n    previously: x\n",
            path: "datasets/plays.yaml")
        #expect {
            try DatasetFile.check(old: old, new: new)
        } throws: { error in
            (error as? SchemaError)?.line == 7 && "\(error)".contains("has no field `x`")
        }
        // A `previously` left over from an earlier rename (the old file already has the new
        // name) is fine.
        let stale = try DatasetFile.document(
            "name: plays\nversion: 2\nlocation: gs://a\nfields:\n  - name: a\n    type: string\n    previously: x\n",
            path: "datasets/plays.yaml")
        try DatasetFile.check(old: old, new: stale)
    }
}

@Suite struct CatalogInfoTests {
    @Test func readsDependenciesFromEveryDocument() throws {
        let text = """
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata: { name: top-tracks }
            spec:
              dependsOn: [resource:default/plays, component:charts-ui]
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata: { name: top-tracks-worker }
            spec:
              dependsOn:
                - resource:users
                - Resource:legacy/listens
            """
        let dependencies = try CatalogInfo.dependencies(text, path: "catalog-info.yaml")
        #expect(dependencies.map(\.dataset) == ["plays", "users", "listens"])
        #expect(dependencies.map(\.namespace) == ["default", nil, "legacy"])
        #expect(dependencies.map(\.line) == [5, 12, 13])
    }
}
