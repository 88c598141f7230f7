import Foundation
import IndexStore
import SkeinBasics

// `skein-index QUERY.json OUT.json`: reads the compiler index store a query names and writes
// what it holds about the query's names as JSON. skein runs this in a process of its own, with
// limits, because the store was written by the consumer's build: a malformed one may crash this
// process, never skein.
let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: skein-index QUERY.json OUT.json\n".utf8))
    exit(2)
}
do {
    let data = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
    let query = try JSONDecoder().decode(CompilerIndexQuery.self, from: data)
    let index = try IndexStoreReader.read(query)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try encoder.encode(index).write(to: URL(fileURLWithPath: arguments[2]))
} catch {
    FileHandle.standardError.write(Data("skein-index: \(error)\n".utf8))
    exit(1)
}
