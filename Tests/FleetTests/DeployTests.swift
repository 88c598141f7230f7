import Foundation
import Testing
import TestSupport

/// FNV-1a of a consumer's name: the published hash `--shard` is specified by (README).
func fnv1a(_ name: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}

/// deploy/: the Kubernetes manifests and the pod's script.
@Suite struct DeployTests {
    let job = packageRoot + "/deploy/kubernetes/job.yaml"
    let configMap = packageRoot + "/deploy/kubernetes/configmap.yaml"
    let podScript = packageRoot + "/deploy/kubernetes/pod.sh"

    /// `make test` installs the validator (PyPI kubernetes-validate); it carries the API schemas,
    /// so nothing is fetched.
    func validate(_ files: [String]) -> CommandOutput {
        runProgram("python3", ["-m", "kubernetes_validate", "--strict"] + files)
    }

    @Test func theManifestsValidateAgainstTheKubernetesSchema() throws {
        let result = validate([job, configMap])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("passed for resource job/skein-plays-v2"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("passed for resource configmap/skein-settings"))

        // The validator does refuse what the API would: a field the Job spec does not have.
        let directory = TemporaryDirectory()
        let text = try String(contentsOfFile: job, encoding: .utf8)
        let broken = directory.write("job.yaml", text.replacingOccurrences(of: "  parallelism: 4", with: "  parallelism: 4\n  shards: 4"))
        let refused = validate([broken])
        #expect(refused.status != 0)
        #expect(refused.stdout.contains("'shards' were unexpected") || refused.stdout.contains("'shards' was unexpected"), "\(refused.stdout)")

        // The Job runs the script the image installs under the name it uses.
        let containerfile = try String(contentsOfFile: packageRoot + "/deploy/Containerfile", encoding: .utf8)
        #expect(containerfile.contains("COPY deploy/kubernetes/pod.sh /usr/local/bin/skein-pod"))
        // The image carries every program `make install` installs (skein-index beside skein:
        // without it a pod's renames would fall back to the syntax resolver).
        let makefile = try String(contentsOfFile: packageRoot + "/Makefile", encoding: .utf8)
        let installed = makefile.split(separator: "\n").filter { $0.contains("install -D") }
            .compactMap { $0.split(separator: "/").last.map { String($0.prefix { $0 != "\"" }) } }
        #expect(Set(installed) == ["skein", "skein-index"], "\(installed)")
        #expect(containerfile.contains("COPY --from=build /out/usr/local/bin/ /usr/local/bin/"))
        #expect(text.contains("command: [\"/usr/local/bin/skein-pod\"]"))
    }

    @Test func theJobPlayedOnOneMachineMigratesEveryConsumerOnce() throws {
        let fleet = FleetFixture(testCommand: "true")
        let upstreams = try FileManager.default.contentsOfDirectory(atPath: fleet.directory.url("upstreams")).sorted()
        let names = upstreams.map { String($0.dropLast(4)) }

        // The ConfigMap's own settings (its rollout included), testing with `true`.
        let extracted = runProgram("python3", ["-c", "import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))['data']['skein.yaml'])", configMap])
        #expect(extracted.status == 0, "\(extracted.stderr)")
        let settings = fleet.directory.url("settings")
        fleet.directory.write("settings/skein.yaml", extracted.stdout.replacingOccurrences(of: "command: swift test", with: "command: \"true\""))
        fleet.directory.write("settings/registry-url", fleet.registry + "\n")
        fleet.directory.write("settings/consumers.txt", "# the fleet\n" + upstreams.map { fleet.directory.url("upstreams/\($0)") + "\n" }.joined())

        let shards = 3
        let path = (skeinExecutable as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        nonisolated(unsafe) var pods = [CommandOutput?](repeating: nil, count: shards)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: shards) { index in
            let output = runProgram("/bin/bash", [podScript], environment: isolatedGitEnvironment.merging([
                "JOB_COMPLETION_INDEX": "\(index)", "SHARDS": "\(shards)", "SKEIN_SETTINGS": settings,
                "SKEIN_WORK": fleet.directory.url("pod-\(index)"), "PATH": path, "SKEIN_RUN_ARGS": "--jobs 2 --test-jobs 1",
            ]) { $1 })
            lock.lock()
            pods[index] = output
            lock.unlock()
        }
        for (index, pod) in pods.enumerated() {
            #expect(pod?.status == 0, "pod \(index): \(pod?.stdout ?? "")\(pod?.stderr ?? "")")
            // Each pod cloned only its share.
            let mirrored = (try? FileManager.default.contentsOfDirectory(atPath: fleet.directory.url("pod-\(index)/mirrors")))?
                .filter { $0.hasSuffix(".git") }.map { String($0.dropLast(4)) } ?? []
            #expect(Set(mirrored) == Set(names.filter { Int(fnv1a($0) % UInt64(shards)) == index }), "pod \(index)")
        }

        // Another machine mirrors the whole fleet and sees every consumer exactly once.
        let overview = fleet.directory.url("overview")
        #expect(skein(["mirror", "add", "--mirrors", overview] + upstreams.map { fleet.directory.url("upstreams/\($0)") }).status == 0)
        #expect(skein(["mirror", "sync", "--mirrors", overview]).status == 0)
        let status = skein(["status", "--mirrors", overview, "plays-v2", "--json"])
        let repos = ((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["migrations"] as? [[String: Any]])?
            .first?["repos"] as? [[String: Any]] ?? []
        let seen = repos.compactMap { $0["repo"] as? String }
        #expect(seen.count == consumersOfPlays.count, "\(seen)")
        #expect(Set(seen) == consumersOfPlays)
        #expect(repos.allSatisfy { $0["wave"] as? Int != nil }, "\(status.stdout)")
        // Every pod's ledger lines reached the upstreams and merged: one outcome per consumer (an
        // automerge adds its `merged` line after it).
        for repo in consumersOfPlays {
            let lines = fleet.upstreamLedgerLines(repo)
            let outcomes = lines.filter { $0.contains("\"migration\":\"plays-v2\"") && !$0.contains("\"status\":\"merged\"") }
            #expect(outcomes.count == 1, "\(repo): \(lines)")
        }
    }

    @Test func mirrorAddAndSyncTakeOnlyTheirShard() throws {
        let directory = TemporaryDirectory()
        let names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
        let sources = names.map { name -> String in
            let path = directory.url("up/\(name)")
            makeRepository(at: path, files: ["README.md": "\(name)\n"])
            return path
        }
        let mine = Set(names.filter { fnv1a($0) % 2 == 1 })
        #expect(!mine.isEmpty && mine.count < names.count)
        let mirrors = directory.url("mirrors")
        let added = skein(["mirror", "add", "--mirrors", mirrors, "--shard", "1/2"] + sources)
        #expect(added.status == 0, "\(added.stderr)")
        let mirrored = try FileManager.default.contentsOfDirectory(atPath: mirrors).filter { $0.hasSuffix(".git") }
            .map { String($0.dropLast(4)) }
        #expect(Set(mirrored) == mine)

        // A mirrors directory holding everything syncs only the shard's share.
        let all = directory.url("all")
        #expect(skein(["mirror", "add", "--mirrors", all] + sources).status == 0)
        for source in sources { commit(files: ["README.md": "moved\n"], in: source, message: "move") }
        let synced = skein(["mirror", "sync", "--mirrors", all, "--shard", "1/2"])
        #expect(synced.status == 0, "\(synced.stderr)")
        for (name, source) in zip(names, sources) {
            let moved = git("rev-parse", "HEAD", in: all + "/\(name).git") == git("rev-parse", "HEAD", in: source)
            #expect(moved == mine.contains(name), "\(name)")
        }
        #expect(skein(["mirror", "sync", "--mirrors", all, "--shard", "2/2"]).status == 2)
    }
}
