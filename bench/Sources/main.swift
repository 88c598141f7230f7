// skein-bench: the in-process figures of `make bench`. Prints one JSON object per figure.
//   skein-bench rewrite DIR         rewrite throughput vs SwiftSyntax parse-only over DIR's .swift files
//   skein-bench sandbox PACKAGE     cold vs warm sandboxed `swift test` after a one-line edit
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
    var parse: [Double] = [], denseTimes: [Double] = [], sparseTimes: [Double] = []
    var edited = 0, sparseEdited = 0
    for _ in 0..<3 {
        parse.append(seconds { for file in files { _ = Parser.parse(source: file.text) } })
        denseTimes.append(seconds { edited = SwiftRewriter(migration: migration(dense)).rewrite(files).edits.count })
        sparseTimes.append(seconds { sparseEdited = SwiftRewriter(migration: migration(sparse)).rewrite(files).edits.count })
    }
    emit([
        ("figure", .string("rewrite")), ("files", .int(files.count)), ("lines", .int(lines)),
        ("parse_lines_per_s", .double((Double(lines) / median(parse)).rounded())),
        ("dense_rename", .string(dense)), ("dense_files_edited", .int(edited)),
        ("dense_lines_per_s", .double((Double(lines) / median(denseTimes)).rounded())),
        ("sparse_rename", .string(sparse)), ("sparse_files_edited", .int(sparseEdited)),
        ("sparse_lines_per_s", .double((Double(lines) / median(sparseTimes)).rounded())),
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
default:
    FileHandle.standardError.write(Data("usage: skein-bench rewrite DIR | sandbox PACKAGE\n".utf8))
    exit(2)
}
