import Foundation
import SkeinBasics

/// A temporary directory for one test, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "skein-test") {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-XXXXXX")
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else { fatalError("mkdtemp failed for \(template)") }
        path = URL(fileURLWithPath: String(cString: made)).resolvingSymlinksInPath().path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func url(_ relative: String) -> String { (path as NSString).appendingPathComponent(relative) }

    /// Writes a file (creating directories) and returns its path.
    @discardableResult
    public func write(_ relative: String, _ text: String) -> String {
        let file = url(relative)
        try! FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// The output of a command run by a test.
public struct CommandOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var trimmed: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// Runs a program and waits for it. Tests only: the product spawns processes through Sandbox.
@discardableResult
public func runProgram(
    _ executable: String, _ arguments: [String], in directory: String? = nil,
    environment extra: [String: String] = [:], input: String? = nil
) -> CommandOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var environment = ProcessInfo.processInfo.environment
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try! process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try? stdin.fileHandleForWriting.close()
    // Read both pipes concurrently so a chatty child never blocks on a full pipe.
    nonisolated(unsafe) var errorData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errorData = readAll(stderr.fileHandleForReading.fileDescriptor)
        group.leave()
    }
    let outputData = readAll(stdout.fileHandleForReading.fileDescriptor)
    group.wait()
    process.waitUntilExit()
    return CommandOutput(
        status: process.terminationStatus,
        stdout: String(decoding: outputData, as: UTF8.self),
        stderr: String(decoding: errorData, as: UTF8.self))
}

/// Reads a descriptor to its end, retrying reads a signal interrupted.
func readAll(_ descriptor: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(descriptor, &buffer, buffer.count)
        if count > 0 {
            data.append(buffer, count: count)
        } else if count < 0 && errno == EINTR {
            continue
        } else {
            return data
        }
    }
}

/// The environment every git run in tests uses: no user or system config leaks in, and a fixed
/// identity.
public let isolatedGitEnvironment: [String: String] = [
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
]

/// Runs the git CLI with an isolated configuration; fails loudly when git does.
@discardableResult
public func git(_ arguments: String..., in directory: String, input: String? = nil, allowFailure: Bool = false) -> String {
    let output = runProgram("git", arguments, in: directory, environment: isolatedGitEnvironment, input: input)
    if output.status != 0 && !allowFailure {
        // Not fatal: one failing test must not take the whole test process down. The empty
        // result fails the test's own expectations.
        FileHandle.standardError.write(Data("git \(arguments.joined(separator: " ")) failed in \(directory): \(output.stderr)\n".utf8))
    }
    return output.trimmed
}

/// Runs the git CLI and returns the whole result, for tests that expect failures.
public func gitResult(_ arguments: [String], in directory: String) -> CommandOutput {
    runProgram("git", arguments, in: directory, environment: isolatedGitEnvironment)
}

/// Makes a git repository at `path` with the given files committed on `main`.
@discardableResult
public func makeRepository(at path: String, files: [String: String], message: String = "initial") -> String {
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    git("init", "-q", "-b", "main", in: path)
    return commit(files: files, in: path, message: message)
}

/// Writes files into a working copy and commits them; returns the new commit's id.
@discardableResult
public func commit(files: [String: String], removing: [String] = [], in path: String, message: String) -> String {
    for (relative, text) in files {
        let file = (path as NSString).appendingPathComponent(relative)
        try! FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: file))
    }
    for relative in removing { git("rm", "-q", relative, in: path) }
    git("add", "-A", in: path)
    git("commit", "-q", "--allow-empty", "-m", message, in: path)
    return git("rev-parse", "HEAD", in: path)
}

/// The root of this package's checkout (for fixtures).
public let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    fatalError("no Package.swift above \(#filePath)")
}()

/// The path of a file under `fixtures/`.
public func fixturePath(_ relative: String) -> String {
    (packageRoot as NSString).appendingPathComponent("fixtures/" + relative)
}

/// The `skein` binary built beside the test bundle.
public let skeinExecutable: String = {
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = runner.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("skein").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory.deleteLastPathComponent()
    }
    fatalError("no skein binary near \(runner.path); build the package first")
}()

/// Runs the `skein` binary with a clean git configuration.
@discardableResult
public func skein(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) -> CommandOutput {
    runProgram(skeinExecutable, arguments, in: directory, environment: isolatedGitEnvironment.merging(environment) { $1 })
}

/// Processes on this machine, this one aside, whose command line contains `marker`.
public func processes(containing marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry), pid != getpid(),
              let data = FileRead.data("/proc/\(entry)/cmdline"), !data.isEmpty
        else { return nil }
        let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return line.contains(marker) ? pid : nil
    }
}

/// The plays dataset's field `track_id` renamed to `track_uri` (record `PlayEvent`, v1 to v2):
/// the small migration of tests that need one change to plan.
public let trackRenameMigration = Migration(
    id: "plays-v2", schemaCommit: "", datasets: ["plays"],
    changes: [.renameField(dataset: "plays", from: "track_id", to: "track_uri")],
    transitions: [DatasetTransition(
        old: DatasetSpec(name: "plays", version: 1, location: "gs://plays/v1", record: "PlayEvent",
                         fields: [FieldSpec(name: "track_id", column: ColumnType(.string))]),
        new: DatasetSpec(name: "plays", version: 2, location: "gs://plays/v2", record: "PlayEvent",
                         fields: [FieldSpec(name: "track_uri", column: ColumnType(.string), previously: "track_id")]))])
