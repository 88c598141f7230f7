import Foundation
import GitKit
import SkeinBasics

/// Installing skein's hooks into a repository: where git looks for hooks (`core.hooksPath`
/// honoured as git reads it), and keeping a hook that is already there.
public enum Hooks {
    /// Writes `script` as the hook `name` of the repository at `path` and records `config`
    /// (`skein.binary`, `skein.registry`, ...) in its git config. A foreign hook already there
    /// is kept as `<name>.skein-chained` and run first by skein's. Returns the hook's path.
    public static func install(
        _ script: String, named name: String, inRepositoryAt path: String, config: [(String, String)]
    ) throws -> String {
        let repository = try Repository.discover(from: path)
        let directory = try hooksDirectory(of: repository)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let hook = directory + "/" + name
        if let existing = try? String(contentsOfFile: hook, encoding: .utf8), !existing.contains("# skein: ") {
            let chained = hook + ".skein-chained"
            guard !FileManager.default.fileExists(atPath: chained) else {
                throw InputError("\(hook): a hook and \(chained) both exist; merge them by hand, then install again")
            }
            guard rename(hook, chained) == 0 else { throw InputError("\(hook): cannot keep the existing hook") }
        }
        try script.write(toFile: hook, atomically: true, encoding: .utf8)
        chmod(hook, 0o755)
        for (key, value) in config { try repository.setConfig(key, value) }
        return hook
    }

    /// Whether the repository at `path` is bare (a registry that receives pushes).
    public static func isBare(_ path: String) throws -> Bool {
        try Repository.discover(from: path).isBare
    }

    /// Where git runs the repository's hooks from.
    static func hooksDirectory(of repository: Repository) throws -> String {
        if let configured = try repository.config("core.hooksPath"), !configured.isEmpty {
            // git expands `~` with HOME; Foundation would take the password database's home.
            let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
            let expanded = (configured == "~" || configured.hasPrefix("~/")) && !home.isEmpty
                ? (home as NSString).appendingPathComponent(String(configured.dropFirst(2)))
                : (configured as NSString).expandingTildeInPath
            if expanded.hasPrefix("/") { return expanded }
            let root = repository.workingDirectory ?? repository.gitDirectory
            return ((root as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
        }
        return ((repository.commonDirectory as NSString).appendingPathComponent("hooks") as NSString).standardizingPath
    }
}
