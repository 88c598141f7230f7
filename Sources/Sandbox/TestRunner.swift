import Foundation
import SkeinBasics

/// The result of one sandboxed command.
public struct CommandResult: Sendable {
    /// Exit status; 128+N when killed by signal N.
    public var status: Int32
    public var timedOut: Bool
    public var logPath: String
    /// Wall-clock seconds.
    public var duration: Double
    /// The end of the output (at most 64 KiB).
    public var output: String
    /// What the reader should know about how it ran (limits that did not apply, a cut log).
    public var notes: [String]

    public init(status: Int32, timedOut: Bool, logPath: String, duration: Double, output: String, notes: [String] = []) {
        self.status = status
        self.timedOut = timedOut
        self.logPath = logPath
        self.duration = duration
        self.output = output
        self.notes = notes
    }
}

/// What a test run showed.
public struct TestReport: Sendable {
    public enum Outcome: Sendable, Equatable {
        case passed, testsFailed, buildFailed, timedOut
        /// The sandbox stopped the run (e.g. the memory limit); the reason says why.
        case sandboxFailed(String)
    }

    public var outcome: Outcome
    public var passed: Int
    public var failed: Int
    public var skipped: Int
    /// Names as the frameworks print them: `Class.testMethod` (XCTest), `function()` (Swift Testing).
    public var failingTests: [String]
    /// The compiler's `path:line: error` lines, paths relative to the worktree.
    public var buildErrors: [AttentionItem]
    public var logPath: String
    public var duration: Double
    public var notes: [String]
    /// The exit status of the test command.
    public var status: Int32

    public init(
        outcome: Outcome, passed: Int = 0, failed: Int = 0, skipped: Int = 0, failingTests: [String] = [],
        buildErrors: [AttentionItem] = [], logPath: String = "", duration: Double = 0, notes: [String] = [], status: Int32 = 0
    ) {
        self.outcome = outcome
        self.passed = passed
        self.failed = failed
        self.skipped = skipped
        self.failingTests = failingTests
        self.buildErrors = buildErrors
        self.logPath = logPath
        self.duration = duration
        self.notes = notes
        self.status = status
    }

    /// Whether the tests were built and run to the end (passing or not).
    public var ran: Bool { outcome == .passed || outcome == .testsFailed }
}

/// Runs one consumer's commands under its policy. Synchronous; several runners (or one) may
/// be used from several threads at once, as long as each consumer's build cache is used by one
/// run at a time.
public struct TestRunner: Sendable {
    public var policy: SandboxPolicy

    public init(policy: SandboxPolicy) {
        self.policy = policy
    }

    /// Where the build products live: inside the per-consumer cache, outside the worktree.
    var buildDirectory: String { (policy.buildCache as NSString).appendingPathComponent("build") }

    /// Resolves the package's dependencies, without the network, from the local copies in
    /// `policy.dependencies`, under the same restrictions as the tests. Nil when the manifest declares no dependencies.
    /// Skipped (status 0, no time) when the manifest and `Package.resolved` are unchanged since
    /// the last successful resolve for this consumer.
    public func resolveDependencies() throws -> CommandResult? {
        // Consumer code may have run in the worktree already: read it confined (no link, no FIFO).
        guard case .file(let manifest, _)? = try? ConfinedFile.read(root: policy.worktree, relative: "Package.swift", limit: 1 << 20),
              Self.declaresDependencies(String(decoding: manifest, as: UTF8.self))
        else { return nil }
        let logPath = Self.logPath(policy.logFile, step: "resolve")
        let stamp = (policy.buildCache as NSString).appendingPathComponent("resolved.stamp")
        let checkouts = (buildDirectory as NSString).appendingPathComponent("checkouts")
        if let previous = FileRead.text(stamp), previous == resolutionKey(),
           FileManager.default.fileExists(atPath: checkouts) {
            return CommandResult(
                status: 0, timedOut: false, logPath: logPath, duration: 0,
                output: "", notes: ["dependencies already resolved for this manifest"])
        }
        let run = try launch(command: "swift package resolve", logPath: logPath)
        let result = CommandResult(
            status: run.result.status, timedOut: run.result.timedOut, logPath: logPath,
            duration: run.result.duration, output: run.result.tail, notes: run.notes)
        guard !run.result.timedOut, run.result.status == 0 else {
            let reason = run.result.timedOut
                ? "timed out after \(Int(policy.timeout)) s"
                : "exit status \(run.result.status)" + Self.lastErrors(run.result.tail)
            throw SandboxError(.resolveFailed, "cannot resolve the dependencies of \(policy.worktree): \(reason) (log: \(logPath))")
        }
        try? resolutionKey().write(toFile: stamp, atomically: true, encoding: .utf8)
        return result
    }

    /// The manifest as JSON (`swift package dump-package`), evaluated in the sandbox without
    /// the network: how skein learns the dependency URLs of a package without `Package.resolved`.
    public func dumpPackage() throws -> String {
        let logPath = Self.logPath(policy.logFile, step: "dump")
        let run = try launch(command: "swift package dump-package 2>/dev/null", logPath: logPath)
        guard !run.result.timedOut, run.result.status == 0 else {
            throw SandboxError(.resolveFailed, "cannot read the manifest of \(policy.worktree): "
                + (run.result.timedOut ? "timed out after \(Int(policy.timeout)) s" : "exit status \(run.result.status)") + " (log: \(logPath))")
        }
        return (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? run.result.tail
    }

    /// Builds and runs the tests, without network.
    public func runTests(command: String = "swift test") throws -> TestReport {
        try test(command: command, logPath: policy.logFile)
    }

    /// Runs only the given tests again (`--filter` when the command is `swift test`), to tell a
    /// flaky test from a failing one.
    public func rerun(tests: [String], command: String = "swift test") throws -> TestReport {
        var filtered = command
        if !tests.isEmpty, command.range(of: "swift test") != nil {
            filtered += " --filter " + Self.shellQuote(Self.filterPattern(tests))
        }
        return try test(command: filtered, logPath: Self.logPath(policy.logFile, step: "rerun"))
    }

    /// Runs a command of an explicit migration (`run:`) in the worktree, sandboxed, no network.
    public func run(command: String) throws -> CommandResult {
        let logPath = Self.logPath(policy.logFile, step: "run")
        let run = try launch(command: command, logPath: logPath)
        return CommandResult(
            status: run.result.status, timedOut: run.result.timedOut, logPath: logPath,
            duration: run.result.duration, output: run.result.tail, notes: run.notes)
    }

    // MARK: - Running

    private func test(command: String, logPath: String) throws -> TestReport {
        let root = policy.mode == .bubblewrap ? Bubblewrap.packagePath : policy.worktree
        // The output is parsed as it streams, all of it (the log keeps only its ends), a line at
        // a time with each line bounded.
        let reading = TestOutputReading(TestOutput(packageRoot: root))
        let lines = OutputLines(wants: { reading.output.mayMatter($0) }, line: { reading.output.read(line: $0) })
        let run = try launch(command: command, logPath: logPath, lines: lines)
        let parsed = reading.output
        var report = TestReport(
            outcome: .passed, passed: parsed.passed, failed: parsed.failed, skipped: parsed.skipped,
            failingTests: parsed.failingTests, buildErrors: parsed.compilerErrors, logPath: logPath,
            duration: run.result.duration, notes: run.notes, status: run.result.status)
        let status = run.result.status
        if run.result.timedOut {
            report.outcome = .timedOut
            report.notes.append("killed after \(Int(policy.timeout)) s")
        } else if run.memoryExceeded {
            report.outcome = .sandboxFailed("memory limit of \(policy.memoryBytes ?? 0) bytes exceeded")
        } else if run.cacheExceeded {
            report.outcome = .sandboxFailed("the build cache grew past its bound of \(policy.maxCacheBytes) bytes")
        } else if !parsed.testsStarted {
            report.outcome = status == 0 ? .passed : .buildFailed
            if status == 0 { report.notes.append("no tests ran") }
            if status != 0 { report.notes += parsed.otherErrors.map { "error: " + $0 } }
        } else if parsed.failed > 0 || status != 0 {
            report.outcome = .testsFailed
            if report.failingTests.isEmpty {
                // A crash ends the process in the middle of a test: blame that test.
                report.failingTests = [parsed.unfinishedTest.map { $0 + " (crashed)" } ?? "(test process exited with status \(status))"]
                report.failed = max(report.failed, 1)
            }
        }
        return report
    }

    struct Launched {
        var result: LaunchResult
        var notes: [String]
        var memoryExceeded: Bool
        var cacheExceeded = false
    }

    /// Runs `command` with `/bin/sh` in the sandbox the policy describes.
    func launch(command: String, logPath: String, lines: OutputLines? = nil) throws(SandboxError) -> Launched {
        var notes: [String] = []
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: policy.worktree, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SandboxError(.setupFailed, "worktree \(policy.worktree) does not exist")
        }
        let sandboxed = policy.mode == .bubblewrap
        if sandboxed && !FileManager.default.isExecutableFile(atPath: policy.bubblewrapPath ?? "") {
            throw SandboxError(.unavailable, Bubblewrap.installHint)
        }
        let fresh = (policy.buildCache as NSString).appendingPathComponent("unsandboxed")
        do {
            try FileManager.default.createDirectory(atPath: buildDirectory, withIntermediateDirectories: true)
            if !sandboxed {
                try? FileManager.default.removeItem(atPath: fresh)
                try FileManager.default.createDirectory(atPath: fresh + "/home", withIntermediateDirectories: true)
                try FileManager.default.createDirectory(atPath: fresh + "/tmp", withIntermediateDirectories: true)
            }
        } catch {
            throw SandboxError(.setupFailed, "cannot make the build cache \(policy.buildCache): \(error)")
        }
        defer { if !sandboxed { try? FileManager.default.removeItem(atPath: fresh) } }

        let account = SandboxAccount.forRun(policy: policy, home: Self.sandboxHome)
        let home = sandboxed ? account.home : fresh + "/home"
        var environment = Toolchain.sandboxEnvironment(home: home)
        var inner: [String]
        var accountFiles: String?
        defer { if let accountFiles { try? FileManager.default.removeItem(atPath: accountFiles) } }
        if sandboxed {
            // The worktree's root and `.git` stay skein's (libgit2 opens the worktree later);
            // the rest, and the cache, become the sandbox user's so the build can write them.
            try account.own(policy.worktree, keepingRoot: true, keeping: [".git"])
            try account.own(policy.buildCache)
            let files = try account.writeAccountFiles(dependencies: policy.dependencies)
            accountFiles = files
            environment = Toolchain.sandboxEnvironment(home: home, user: account.name)
            _ = try account.switchArguments()
            inner = Bubblewrap.arguments(
                for: policy, command: command, account: account, accountFiles: files,
                buildDirectory: buildDirectory, infoFD: ProcessLaunch.infoFD)
        } else {
            environment = environment.map { $0.0 == "TMPDIR" ? ($0.0, fresh + "/tmp") : $0 }
            if let dependencies = policy.dependencies {
                let file = fresh + "/mirrors.json"
                do {
                    try dependencies.mirrorsJSON(seenAt: dependencies.directory).write(toFile: file, atomically: false, encoding: .utf8)
                } catch {
                    throw SandboxError(.setupFailed, "cannot write the dependency mirror list \(file): \(error)")
                }
                environment.append(("SWIFTPM_MIRROR_CONFIG", file))
            }
            inner = Unsandboxed.guardPrefix + ["/bin/sh", "-c", Self.withScratchPath(command, buildDirectory)]
            notes.append("ran without a sandbox (--sandbox none)")
            if Unsandboxed.guardPrefix.isEmpty { notes.append(Unsandboxed.note) }
        }
        if let prlimit = Self.prlimitPath {
            inner = [prlimit, "--cpu=\(policy.cpuSeconds)", "--nproc=\(policy.maxProcesses)",
                     "--fsize=\(policy.maxFileSize)", "--core=0", "--"] + inner
        } else {
            notes.append("no CPU, process or file-size limits applied (prlimit not found)")
        }
        let group = ResourceGroup.make(memory: policy.memoryBytes, processes: policy.maxProcesses, cpuCores: policy.cpuCores)
        defer { group?.remove() }
        if policy.cpuCores != nil && group?.limitsCPU != true {
            notes.append("no CPU quota applied: this machine lets skein make no cpu cgroup (RLIMIT_CPU still applies)")
        }
        let reaper = sandboxed ? group.map { DaemonReaper(group: $0) } : nil
        defer { reaper?.stop() }
        let cacheWatch = CacheWatch(directory: policy.buildCache, limit: policy.maxCacheBytes) { group?.killAll() }
        defer { cacheWatch.stop() }
        if policy.memoryBytes != nil && group?.limitsMemory != true {
            notes.append("no memory limit applied: this machine lets skein make no memory cgroup")
        }
        if getuid() == 0 && group?.limitsProcesses != true {
            notes.append("no process-count limit applied: no pids cgroup, and RLIMIT_NPROC does not bind root")
        }
        var arguments = inner
        if let group {
            // The launcher joins the cgroups before anything of the run exists, so nothing escapes them.
            arguments = ["/bin/sh", "-c", #"while [ "$1" != -- ]; do echo $$ > "$1/cgroup.procs" || exit 125; shift; done; shift; exec "$@""#, "sh"]
                + group.directories + ["--"] + inner
        }
        let launch = ProcessLaunch(
            executable: arguments[0], arguments: arguments,
            environment: environment.map { "\($0.0)=\($0.1)" },
            directory: sandboxed ? "/" : policy.worktree, readsSandboxInfo: sandboxed, group: group)
        let result = try launch.run(
            timeout: policy.timeout,
            log: LogSink(path: logPath, limit: policy.logLimit, tailBytes: policy.logTailBytes), lines: lines)
        if result.logTruncated {
            notes.append("output was \(result.outputBytes) bytes; the log keeps its first and last parts (\(policy.logLimit) bytes)")
        }
        if group != nil && result.status == 125 && result.tail.contains("cgroup.procs") {
            throw SandboxError(.startFailed, "cannot place the run in its cgroup: \(result.tail.suffix(300))")
        }
        if sandboxed && !result.timedOut && result.status != 0, result.tail.hasPrefix("bwrap: ") {
            let message = result.tail.prefix { $0 != "\n" }
            throw SandboxError(.startFailed, "the sandbox did not start: \(message)")
        }
        let memoryExceeded = group?.hitMemoryLimit == true && result.signal == SIGKILL
        let cacheExceeded = cacheWatch.finish()
        if cacheExceeded {
            notes.append("the build cache grew past \(policy.maxCacheBytes) bytes; the run was stopped and the cache emptied")
        }
        return Launched(result: result, notes: notes, memoryExceeded: memoryExceeded, cacheExceeded: cacheExceeded)
    }

    // MARK: - Details

    static let prlimitPath: String? = Toolchain.find("prlimit", extra: ["/usr/bin", "/bin"])

    /// A fresh, empty HOME inside the sandbox, at the account's home path where it can be:
    /// SwiftPM looks for its user folders there rather than at `HOME`.
    static let sandboxHome: String = {
        guard let home = Toolchain.accountHome else { return "/tmp/home" }
        let taken = ["/usr", "/etc", "/proc", "/dev", "/bin", "/sbin", "/lib", "/lib64", Bubblewrap.packagePath] + [Toolchain.root].compactMap { $0 }
        if taken.contains(where: { home == $0 || home.hasPrefix($0 + "/") || $0.hasPrefix(home + "/") }) { return "/tmp/home" }
        return home
    }()

    /// Whether a manifest declares package dependencies (`.package(`), comments aside.
    public static func declaresDependencies(_ manifest: String) -> Bool {
        manifest.split(separator: "\n").contains { line in
            let code = line.range(of: "//").map { line[..<$0.lowerBound] } ?? line[...]
            return code.contains(".package(")
        }
    }

    /// Identifies the manifest and pins a resolve was made for.
    private func resolutionKey() -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for name in ["Package.swift", "Package.resolved"] {
            let bytes: Data
            switch try? ConfinedFile.read(root: policy.worktree, relative: name, limit: 4 << 20) {
            case .file(let data, _)?: bytes = data
            case .missing?: bytes = Data()
            // Not a file skein reads: a key no stamp matches, so the resolve runs.
            case nil: bytes = Data(UUID().uuidString.utf8)
            }
            for byte in Array(name.utf8) + [0] + Array(bytes) + [0] {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return String(hash, radix: 16)
    }

    /// `run.log` → `run.resolve.log`; other names get the step appended.
    static func logPath(_ base: String, step: String) -> String {
        base.hasSuffix(".log") ? String(base.dropLast(4)) + ".\(step).log" : base + ".\(step)"
    }

    /// A `--filter` pattern matching exactly the named tests of either framework: `Class.test`
    /// is matched as `Module.Class/test`, `name()` as written.
    static func filterPattern(_ tests: [String]) -> String {
        tests.map { name in
            var escaped = ""
            for character in name {
                if "\\^$.|?*+()[]{}".contains(character) { escaped.append("\\") }
                escaped.append(character)
            }
            if !name.hasSuffix(")"), let dot = escaped.range(of: "\\.", options: .backwards) {
                escaped.replaceSubrange(dot, with: "[./]")
                return escaped + "$"
            }
            return escaped
        }.joined(separator: "|")
    }

    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Without the sandbox the cache cannot be mounted at `.build`; `swift build/test/run/package`
    /// are pointed at it instead.
    static func withScratchPath(_ command: String, _ directory: String) -> String {
        for verb in ["swift test", "swift build", "swift run", "swift package"] where command.hasPrefix(verb) {
            let rest = command.dropFirst(verb.count)
            if rest.isEmpty || rest.first == " " {
                return verb + " --scratch-path " + shellQuote(directory) + rest
            }
        }
        return command
    }

    private static func lastErrors(_ output: String) -> String {
        let errors = output.split(separator: "\n").filter { $0.contains("error:") }.suffix(3)
        return errors.isEmpty ? "" : ": " + errors.joined(separator: "; ")
    }
}

/// A test run's output as parsed so far; changed only under `OutputLines`' lock.
final class TestOutputReading: @unchecked Sendable {
    var output: TestOutput
    init(_ output: TestOutput) { self.output = output }
}
