import CGit2
import Foundation

extension Repository {
    /// The repository at `url` when it is a local non-bare one (a path or a `file://` URL):
    /// libgit2's local transport does not push to those, so `push` delivers to them itself.
    static func localNonBare(_ url: String) -> Repository? {
        let path = url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
        guard !path.isEmpty, !path.contains("://"), FileManager.default.fileExists(atPath: path),
              let repository = try? Repository.open(path), !repository.isBare
        else { return nil }
        return repository
    }

    /// Pushes to a local non-bare repository the way git does: the upstream fetches the objects
    /// from this one (under a private staging ref), then each destination ref is moved, refusing
    /// a ref that is not a fast-forward (unless the refspec starts with `+`) and the branch
    /// checked out in the upstream's work tree, which a push must never move under its files.
    func pushLocally(into upstream: Repository, url: String, refspecs: [String]) throws(GitError) {
        let checkedOut = try? upstream.headReferenceName()
        var rejections: [String] = []
        for refspec in refspecs {
            let force = refspec.hasPrefix("+")
            let body = force ? String(refspec.dropFirst()) : refspec
            let parts = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let source = parts[0], destination = parts.count > 1 ? parts[1] : parts[0]
            if destination == checkedOut {
                rejections.append("\(destination): refusing to update the branch checked out in a non-bare repository")
                continue
            }
            if source.isEmpty {
                try upstream.deleteReference(destination)
                continue
            }
            guard let target = try referenceTarget(source) else {
                rejections.append("\(destination): no \(source) to push")
                continue
            }
            let staging = "refs/skein/incoming/\(UUID().uuidString)"
            try upstream.fetch(from: gitDirectory, refspecs: ["+\(source):\(staging)"])
            defer { try? upstream.deleteReference(staging) }
            let old = try upstream.referenceTarget(destination)
            if !force, let old, old != target, !(try upstream.isAncestor(old, of: target)) {
                rejections.append("\(destination): not a fast-forward")
                continue
            }
            try upstream.setReference(destination, to: target, message: "push from \(gitDirectory)")
        }
        if !rejections.isEmpty {
            throw GitError(
                operation: "push to \(url)", repository: path, code: GIT_ENONFASTFORWARD.rawValue,
                message: "rejected " + rejections.joined(separator: ", "))
        }
    }
}
