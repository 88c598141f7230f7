import Foundation
import Rewrite
import Sandbox
import SkeinBasics

/// Builds a consumer at its base, before planning, so its Swift renames can ask the compiler's
/// own index store (the package's debug build writes it into the per-consumer build cache), and
/// reads from that store what the migration's names are.
///
/// Only when a Swift rename has files to look at: a consumer the migration touches only through
/// config pays nothing. The build is `swift build --build-tests` in the sandbox; it runs on every
/// attempt, since the cache may hold the products of another commit or of a rewritten tree, and
/// is incremental, so the base test run after it (or a cached base result) costs no more. When
/// the base does not build, the renames fall back to the syntax resolver and `attention` says so.
struct CompilerIndexBuild {
    /// What the planner gets, and what the reader should know about how it was got.
    struct Outcome {
        var index: CompilerIndex?
        /// How the index was got or why there is none (ledger `resolved_by`, commit body).
        var notes: [String] = []
        /// What a person must know: the base did not build, so the resolver decided.
        var attention: [String] = []
    }

    /// The names to read the store for; empty means no build.
    var names: [String]
    var runner: TestRunner
    /// Runs sandboxed work within the run's bound on concurrent test runs.
    var sandboxed: (() throws -> CommandResult?) throws -> CommandResult?
    /// The consumer's test command: the index comes from its own SwiftPM build, so a consumer
    /// tested some other way (or not built at all, `true`) is not built for it.
    var testCommand: String

    static let buildCommand = "swift build --build-tests"
    static let sourcesCommand = "swift build"
    /// The reader's output is refused beyond this size.
    static let maximumIndexBytes = 128 << 20

    func run() -> Outcome {
        guard !names.isEmpty else { return Outcome() }
        let worktree = runner.policy.worktree
        guard FileManager.default.fileExists(atPath: worktree + "/Package.swift") else {
            return Outcome(notes: ["no Package.swift: Swift renames decided by the syntax resolver alone"])
        }
        guard testCommand.hasPrefix("swift ") || testCommand == "swift" else {
            return Outcome(notes: ["the test command is not SwiftPM's, so the base is not built for the compiler index: Swift renames decided by the syntax resolver alone"])
        }
        guard let reader = HelperProcess.find("skein-index") else {
            return Outcome(notes: ["skein-index (the index store reader) is not installed beside skein: Swift renames decided by the syntax resolver alone"])
        }
        do {
            _ = try sandboxed { try runner.resolveDependencies() }
            let built = try sandboxed { try runner.run(command: Self.buildCommand) }
            var outcome = Outcome()
            var sourcesOnly = false
            if let built, built.timedOut || built.status != 0 {
                let why = built.timedOut ? "timed out" : Self.firstError(built.output) ?? "exit status \(built.status)"
                // Tests that do not build (some only build on another platform) leave the
                // package's own sources to the index when they build alone.
                var alone = runner
                alone.policy.logFile = runner.policy.logFile.replacingOccurrences(of: ".log", with: "") + ".sources.log"
                let sources = built.timedOut ? nil : try sandboxed { try alone.run(command: Self.sourcesCommand) }
                guard let sources, !sources.timedOut, sources.status == 0 else {
                    outcome.attention.append("the base does not build (\(why); log: \(built.logPath)), so the compiler index is not used: "
                                             + "Swift renames were decided by the syntax resolver")
                    return outcome
                }
                sourcesOnly = true
                outcome.notes.append("the base's tests do not build (\(why)): files under Tests/ were decided by the syntax resolver")
            }
            let root = runner.policy.mode == .bubblewrap ? Bubblewrap.packagePath : worktree
            guard let store = Self.findStore(in: runner.policy.buildCache + "/build") else {
                outcome.notes.append("the base built but wrote no index store: Swift renames decided by the syntax resolver alone")
                return outcome
            }
            var index = try Self.read(CompilerIndexQuery(store: store, packageRoot: root, names: names), reader: reader,
                                      timeout: min(runner.policy.timeout, 300))
            if sourcesOnly { index.files.removeAll { $0.hasPrefix("Tests/") } }
            outcome.index = index
            outcome.notes.append("Swift renames asked the compiler index of the base build (\(index.files.count) compiled files)")
            return outcome
        } catch {
            return Outcome(notes: ["the compiler index could not be used (\(error)): Swift renames decided by the syntax resolver alone"])
        }
    }

    /// `<build>/<triple>/debug/index/store`, the one most recently written when there are several.
    /// The build folder is the consumer's: a store that is, or passes through, a link leading out
    /// of it (to another consumer's cache, say) is not read.
    static func findStore(in build: String) -> String? {
        let triples = (try? FileManager.default.contentsOfDirectory(atPath: build)) ?? []
        let root = URL(fileURLWithPath: build).resolvingSymlinksInPath().path + "/"
        let stores = triples.map { build + "/" + $0 + "/debug/index/store" }.filter { path in
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
                && URL(fileURLWithPath: path).resolvingSymlinksInPath().path.hasPrefix(root)
        }
        func modified(_ path: String) -> Date {
            ((try? FileManager.default.attributesOfItem(atPath: path + "/v5/units"))?[.modificationDate] as? Date) ?? .distantPast
        }
        return stores.max { modified($0) < modified($1) }
    }

    /// Reads a store with `skein-index` in a process of its own, then checks what it says: every
    /// path relative, inside the worktree, without `..`; an index that was cut short is refused.
    static func read(_ query: CompilerIndexQuery, reader: String, timeout: Double) throws -> CompilerIndex {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skein-index-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/query.json", output = directory + "/index.json"
        try JSONEncoder().encode(query).write(to: URL(fileURLWithPath: input))
        let result = try HelperProcess(executable: reader, arguments: [input, output], timeout: timeout).run()
        guard !result.timedOut else { throw FleetError("reading the index store timed out after \(Int(timeout)) s") }
        guard result.status == 0 else {
            let said = result.output.split(separator: "\n").last.map { ": " + $0 } ?? ""
            throw FleetError(result.status > 128
                ? "the index store reader was killed by signal \(result.status - 128) (a malformed store?)\(said)"
                : "the index store reader failed with status \(result.status)\(said)")
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: output))?[.size] as? Int) ?? 0
        guard size <= maximumIndexBytes else { throw FleetError("the index store reader wrote \(size) bytes, more than \(maximumIndexBytes)") }
        var index = try JSONDecoder().decode(CompilerIndex.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
        guard !index.truncated else { throw FleetError("the index store holds more than skein reads") }
        let outside = index.occurrences.filter { !isInside($0.path) }.map(\.path) + index.files.filter { !isInside($0) }
        index.occurrences.removeAll { !isInside($0.path) }
        index.files.removeAll { !isInside($0) }
        index.dropped += Array(Set(outside)).sorted()
        return index
    }

    /// Whether a path the reader gave stays inside the worktree.
    static func isInside(_ relative: String) -> Bool {
        let components = relative.split(separator: "/", omittingEmptySubsequences: false)
        return !relative.isEmpty && !relative.hasPrefix("/")
            && !components.contains { $0.isEmpty || $0 == "." || $0 == ".." } && components.first != ".build"
    }

    /// The compiler's first `error:` line.
    static func firstError(_ output: String) -> String? {
        output.split(separator: "\n").first { $0.contains("error:") }.map { line in
            let text = line.trimmingCharacters(in: .whitespaces)
            return text.count > 300 ? String(text.prefix(300)) + "..." : text
        }
    }

    /// The line a dry run's diff starts with when it planned Swift renames: it builds nothing,
    /// so they are the syntax resolver's alone.
    static let dryRunNote = "# dry run: Swift renames planned by the syntax resolver alone (no build, so no compiler index); a real run asks the compiler index first\n"
}
