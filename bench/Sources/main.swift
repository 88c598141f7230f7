// skein-bench: the in-process figures of `make bench`. Prints one JSON object per figure.
//   skein-bench rewrite DIR         rewrite throughput vs SwiftSyntax parse-only over DIR's .swift files
//   skein-bench sandbox PACKAGE     cold vs warm sandboxed `swift test` after a one-line edit
//   skein-bench worker SKEIN DIR     planning in a `skein plan-worker` process vs in-process, per consumer
//   skein-bench plays DIR [ROUNDS]  the plays v1→v2 migration of the fleet fixture planned over
//                                   DIR (a consumer checkout) vs parse-only, in-process
//   skein-bench index PACKAGE READER STORE [ROUNDS]
//                                   compiler index read (in skein-index) + plan with it, vs plan alone
import Foundation
import Rewrite
import Sandbox
import SkeinBasics
import SwiftParser

func swiftFiles(under root: String) -> [SourceFile] {
    var files: [SourceFile] = []
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let relative = enumerator?.nextObject() as? String {
        guard relative.hasSuffix(".swift"), !relative.contains(".build/"),
              let text = try? String(contentsOfFile: root + "/" + relative, encoding: .utf8) else { continue }
        files.append(SourceFile(path: relative, text: text))
    }
    return files.sorted { $0.path < $1.path }
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func emit(_ pairs: [(String, JSONValue)]) { print(JSONValue.object(pairs).serialized()) }

/// The fleet fixture's plays v1 → v2 (fixtures/fleet/registry), as the registry diff gives it.
func playsMigration() -> Migration {
    let v1 = DatasetSpec(name: "plays", version: 1, location: "gs://listening-data/plays/v1", record: "PlayEvent", fields: [
        FieldSpec(name: "user_id", column: ColumnType(.string)), FieldSpec(name: "track_id", column: ColumnType(.string)),
        FieldSpec(name: "ms_played", column: ColumnType(.int32)), FieldSpec(name: "context", column: ColumnType(.string, nullable: true)),
        FieldSpec(name: "client_version", column: ColumnType(.string)),
    ])
    let v2 = DatasetSpec(name: "plays", version: 2, location: "gs://listening-data/plays/v2", record: "PlayEvent", fields: [
        FieldSpec(name: "user_id", column: ColumnType(.string)),
        FieldSpec(name: "track_uri", column: ColumnType(.string), previously: "track_id"),
        FieldSpec(name: "ms_played", column: ColumnType(.int64)), FieldSpec(name: "context", column: ColumnType(.string, nullable: true)),
    ])
    return Migration(id: "plays-v2", schemaCommit: "", datasets: ["plays"], changes: [
        .renameField(dataset: "plays", from: "track_id", to: "track_uri"),
        .changeFieldType(dataset: "plays", field: "ms_played", from: ColumnType(.int32), to: ColumnType(.int64)),
        .removeField(dataset: "plays", field: "client_version"),
        .moveLocation(dataset: "plays", from: "gs://listening-data/plays/v1", to: "gs://listening-data/plays/v2"),
        .bumpVersion(dataset: "plays", from: 1, to: 2),
    ], transitions: [DatasetTransition(old: v1, new: v2)])
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "rewrite":
    guard let root = arguments.dropFirst().first else { fatalError("usage: skein-bench rewrite DIR [DENSE-TYPE] [SPARSE-TYPE]") }
    let dense = arguments.dropFirst(2).first ?? "Syntax"
    let sparse = arguments.dropFirst(3).first ?? "SourceLocationConverter"
    let files = swiftFiles(under: root)
    let lines = files.reduce(0) { $0 + $1.text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }
    func migration(_ type: String) -> Migration {
        Migration(id: "bench", schemaCommit: "", datasets: ["all"], changes: [.renameType(from: type, to: type + "Renamed")], transitions: [])
    }
    // "All files affected": the dense figure is taken over exactly the files the dense rename
    // edits, both sides, so every file parsed is also rewritten.
    let editedPaths = Set(SwiftRewriter(migration: migration(dense)).rewrite(files).edits.map(\.path))
    let denseFiles = files.filter { editedPaths.contains($0.path) }
    let denseLines = denseFiles.reduce(0) { $0 + $1.text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }
    var parse: [Double] = [], denseParse: [Double] = [], denseTimes: [Double] = [], sparseTimes: [Double] = []
    var edited = 0, sparseEdited = 0
    for _ in 0..<7 {
        parse.append(seconds { for file in files { _ = Parser.parse(source: file.text) } })
        sparseTimes.append(seconds { sparseEdited = SwiftRewriter(migration: migration(sparse)).rewrite(files).edits.count })
        denseParse.append(seconds { for file in denseFiles { _ = Parser.parse(source: file.text) } })
        denseTimes.append(seconds { edited = SwiftRewriter(migration: migration(dense)).rewrite(denseFiles).edits.count })
    }
    emit([
        ("figure", .string("rewrite")), ("files", .int(files.count)), ("lines", .int(lines)),
        ("parse_lines_per_s", .double((Double(lines) / median(parse)).rounded())),
        ("dense_rename", .string(dense)), ("dense_files", .int(denseFiles.count)), ("dense_files_edited", .int(edited)),
        ("dense_lines", .int(denseLines)),
        ("dense_parse_lines_per_s", .double((Double(denseLines) / median(denseParse)).rounded())),
        ("dense_lines_per_s", .double((Double(denseLines) / median(denseTimes)).rounded())),
        ("sparse_rename", .string(sparse)), ("sparse_files_edited", .int(sparseEdited)),
        ("sparse_lines_per_s", .double((Double(lines) / median(sparseTimes)).rounded())),
    ])
case "plays":
    guard let root = arguments.dropFirst().first else { fatalError("usage: skein-bench plays DIR [ROUNDS]") }
    let rounds = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 3
    let workspace = Workspace(root: root)
    let files = workspace.read().swift
    let lines = files.reduce(0) { $0 + $1.text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }
    let migration = playsMigration()
    var parse: [Double] = [], plan: [Double] = []
    var edited = 0
    for _ in 0..<rounds {
        parse.append(seconds { for file in files { _ = Parser.parse(source: file.text) } })
        plan.append(seconds { edited = Migrator(migration: migration).plan(workspace).edits.count })
    }
    emit([
        ("figure", .string("plays")), ("files", .int(files.count)), ("lines", .int(lines)), ("files_edited", .int(edited)),
        ("parse_lines_per_s", .double((Double(lines) / median(parse)).rounded())),
        ("plan_s", .double(median(plan))), ("plan_lines_per_s", .double((Double(lines) / median(plan)).rounded())),
    ])
case "worker":
    // What planning in a worker process costs per consumer: the same plan made in this process,
    // by a kept `skein plan-worker` (job encoded, sent, plan decoded: what a run pays per
    // consumer) and by a worker started for it (what the first consumer of each worker pays),
    // over an empty consumer (nothing but the cost of the worker) and over DIR.
    guard arguments.count >= 3 else { fatalError("usage: skein-bench worker SKEIN DIR [ROUNDS]") }
    let executable = arguments.dropFirst().first!, root = arguments.dropFirst(2).first!
    let rounds = arguments.dropFirst(3).first.flatMap { Int($0) } ?? 20
    let migration = playsMigration()
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("skein-bench-empty-\(getpid())").path
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: empty) }
    let settings = WorkerProcess.Settings(
        executable: executable, arguments: [executable, "plan-worker"], memoryBytes: 2 << 30, timeout: 600,
        progressPrefix: "skein-worker: ", environment: ["SWIFT_BACKTRACE": "enable=no"])
    let kept = WorkerPool(settings)
    func inWorker(_ root: String, _ pool: WorkerPool) -> Int {
        let job = PlanJob(migration: migration, workspace: Workspace(root: root))
        guard let result = try? pool.serve(try! job.encoded()), result.answered,
              let plan = try? RewriteResult.decode(result.output) else { fatalError("plan-worker failed") }
        return plan.edits.count
    }
    _ = inWorker(empty, kept)
    var emptyIn: [Double] = [], emptyKept: [Double] = [], emptyNew: [Double] = []
    var fullIn: [Double] = [], fullKept: [Double] = []
    var editsIn = 0, editsOut = 0
    for _ in 0..<rounds {
        emptyIn.append(seconds { _ = Migrator(migration: migration).plan(Workspace(root: empty)) })
        emptyKept.append(seconds { _ = inWorker(empty, kept) })
        emptyNew.append(seconds { _ = inWorker(empty, WorkerPool(settings)) })
        fullIn.append(seconds { editsIn = Migrator(migration: migration).plan(Workspace(root: root)).edits.count })
        fullKept.append(seconds { editsOut = inWorker(root, kept) })
    }
    guard editsIn == editsOut else { fatalError("the worker planned \(editsOut) edits, in-process \(editsIn)") }
    guard kept.workersStarted == 1 else { fatalError("the kept worker was replaced \(kept.workersStarted - 1) times") }
    emit([
        ("figure", .string("worker")), ("rounds", .int(rounds)), ("files_edited", .int(editsIn)),
        ("empty_in_process_s", .double(median(emptyIn))), ("empty_kept_worker_s", .double(median(emptyKept))),
        ("empty_new_worker_s", .double(median(emptyNew))),
        ("consumer_in_process_s", .double(median(fullIn))), ("consumer_kept_worker_s", .double(median(fullKept))),
        ("overhead_per_consumer_s", .double(median(fullKept) - median(fullIn))),
    ])
case "sandbox":
    guard let package = arguments.dropFirst().first else { fatalError("usage: skein-bench sandbox PACKAGE-DIR") }
    let cache = package + "/../bench-cache"
    try? FileManager.default.removeItem(atPath: cache)
    let runner = TestRunner(policy: SandboxPolicy(worktree: package, buildCache: cache, logFile: package + "/../bench-test.log"))
    var cold = 0.0, warm = 0.0
    cold = seconds { _ = try? runner.runTests() }
    let source = swiftFiles(under: package + "/Sources").first!
    let path = package + "/Sources/" + source.path
    try (source.text + "\n// touched\n").write(toFile: path, atomically: true, encoding: .utf8)
    warm = seconds { _ = try? runner.runTests() }
    emit([("figure", .string("sandbox")), ("cold_s", .double(cold)), ("warm_s", .double(warm)), ("ratio", .double(warm / cold))])
case "index":
    // What the compiler index adds per consumer once its base is built: reading the store in
    // the reader's process, and planning with it, against planning with the resolver alone.
    guard let package = arguments.dropFirst().first, let reader = arguments.dropFirst(2).first,
          let store = arguments.dropFirst(3).first else { fatalError("usage: skein-bench index PACKAGE-DIR READER STORE [ROUNDS]") }
    let rounds = arguments.dropFirst(4).first.flatMap { Int($0) } ?? 5
    let migration = Migration(id: "bench", schemaCommit: "", datasets: ["all"], changes: [
        .renameMember(type: "Sign", from: "minus", to: "negative", kind: .case),
        .renameMember(type: "Shape", from: "area", to: "surface", kind: .method),
        .renameType(from: "Outer.Inner", to: "Core"),
    ], transitions: [])
    let workspace = Workspace(root: package)
    let query = CompilerIndexQuery(store: store, packageRoot: package, names: Migrator(migration: migration).compilerIndexNames(workspace))
    let directory = NSTemporaryDirectory() + "skein-bench-index-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try JSONEncoder().encode(query).write(to: URL(fileURLWithPath: directory + "/query.json"))
    var read: [Double] = [], withIndex: [Double] = [], syntaxOnly: [Double] = []
    var index = CompilerIndex()
    for _ in 0..<rounds {
        read.append(seconds {
            let ran = try? HelperProcess(executable: reader, arguments: [directory + "/query.json", directory + "/index.json"], timeout: 120).run()
            if ran?.status != 0 { FileHandle.standardError.write(Data("skein-bench: the reader failed: \(ran.map { "\($0.status) \($0.output)" } ?? "not started")\n".utf8)) }
            index = (try? JSONDecoder().decode(CompilerIndex.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/index.json")))) ?? index
        })
        withIndex.append(seconds { _ = Migrator(migration: migration).plan(workspace, compilerIndex: index) })
        syntaxOnly.append(seconds { _ = Migrator(migration: migration).plan(workspace) })
    }
    emit([("figure", .string("index")), ("read_s", .double(median(read))), ("plan_index_s", .double(median(withIndex))),
          ("plan_syntax_s", .double(median(syntaxOnly))), ("occurrences", .int(index.occurrences.count)),
          ("index_s", .double(median(read) + median(withIndex)))])
default:
    FileHandle.standardError.write(Data("usage: skein-bench rewrite DIR | sandbox PACKAGE | index PACKAGE READER STORE\n".utf8))
    exit(2)
}
