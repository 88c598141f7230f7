import Foundation
import GitKit
import Rewrite
import SkeinBasics

/// What a migration commit holds: the bytes skein planned, and the files a `run` rule produced,
/// read right after the rule ran. Never the worktree after the tests ran in it: a test could
/// append to a rewritten file, or swap it (or a folder above it) for a link to a host file.
enum MigrationFiles {
    /// The largest file a `run` rule may produce; a larger one ends the consumer in `error`.
    static let maximumProducedFileSize = 64 << 20

    /// The planned edits, as the bytes skein computed.
    static func planned(_ edits: [FileEdit]) -> [StagedFile] {
        edits.map { StagedFile(path: $0.path, contents: Data($0.newText.utf8)) }
    }

    /// Every change of the worktree against its checkout (the edits included), read confined:
    /// no link is followed in any component, only regular files are read, each up to
    /// `maximumProducedFileSize`, and nothing that could block (a FIFO, a socket, a device) is
    /// ever opened, by libgit2 or by skein. Throws, naming the path and the command, otherwise.
    static func produced(worktree: String, by command: String) throws -> [StagedFile] {
        let special = try ConfinedFile.specialFiles(root: worktree, skipping: [".git"])
        guard special.isEmpty else {
            throw FleetError("`\(command)` left \(special.prefix(3).joined(separator: ", ")) in the worktree, "
                + "which is not a regular file, folder or link; nothing is committed")
        }
        let paths = try Repository.open(worktree).changedWorkingPaths()
        return try paths.sorted().map { path in
            let contents: ConfinedFile.Contents
            do {
                contents = try ConfinedFile.read(root: worktree, relative: path, limit: maximumProducedFileSize)
            } catch {
                throw FleetError("after `\(command)`: \(error); nothing is committed")
            }
            switch contents {
            case .file(let data, let executable): return StagedFile(path: path, contents: data, executable: executable)
            case .missing: return StagedFile(path: path, contents: nil)
            }
        }
    }

    /// Why the worktree no longer holds what skein wrote, or nil when it does: a test changed,
    /// replaced or linked away a file of the migration. Read confined, so checking never follows
    /// a link or waits on a FIFO. The commit holds skein's bytes either way; this tells the
    /// reviewer that the consumer's tests tampered with them.
    static func tampering(_ files: [StagedFile], worktree: String) -> String? {
        for file in files {
            let found: ConfinedFile.Contents
            do {
                found = try ConfinedFile.read(root: worktree, relative: file.path, limit: maximumProducedFileSize)
            } catch {
                return "the tests changed a file skein wrote: \(error); the commit holds skein's bytes"
            }
            let same: Bool = switch found {
            case .missing: file.contents == nil
            case .file(let data, _): data == file.contents
            }
            if !same {
                return "the tests changed \(file.path) after skein wrote it; the commit holds skein's bytes"
            }
        }
        return nil
    }
}
