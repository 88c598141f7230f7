import GitKit
import SkeinBasics

extension Registry {
    /// The versions of one dataset before `commit`'s, oldest first (see `histories`).
    func history(
        of dataset: DatasetSpec, before commit: ObjectID, in repository: Repository, limit: Int = 2_000
    ) throws -> [DatasetSpec] {
        try histories(of: [dataset], before: commit, in: repository, limit: limit)[0]
    }

    /// The versions of each dataset before `commit`'s, oldest first, read in one walk along the
    /// first-parent line of the registry: each time a dataset's file changed in a way that
    /// changes its schema, one entry. A dataset rename (`previously:` at the top level) is
    /// followed to the old file. Versions that do not parse are passed over: history cannot be
    /// fixed, and the newer versions still say what consumers may use.
    func histories(
        of datasets: [DatasetSpec], before commit: ObjectID, in repository: Repository, limit: Int = 2_000
    ) throws -> [[DatasetSpec]] {
        struct Chain {
            var path: String
            var newest: DatasetSpec
            var blob: ObjectID?
            var versions: [DatasetSpec] = []
            var ended = false
        }
        let tipBlobs = try datasetBlobs(at: commit, in: repository)
        var chains = datasets.map { Chain(path: $0.path, newest: $0, blob: tipBlobs[$0.path]) }
        var cursor = try repository.commit(commit).parents.first
        var walked = 0
        while let id = cursor, walked < limit, chains.contains(where: { !$0.ended }) {
            walked += 1
            let blobs = try datasetBlobs(at: id, in: repository)
            for index in chains.indices where !chains[index].ended {
                var chain = chains[index]
                if blobs[chain.path] == nil, let previous = chain.newest.previousName {
                    // The dataset's file under its old name, if the old dataset was there.
                    chain.path = blobs.first { entry in
                        entry.value != chain.blob && (try? DatasetFile.parse(data: repository.blob(entry.value), path: entry.key))?.name == previous
                    }?.key ?? chain.path
                }
                if let current = blobs[chain.path] {
                    if current != chain.blob, let spec = try? DatasetFile.parse(data: repository.blob(current), path: chain.path),
                       !SchemaDiff.changes(old: spec, new: chain.newest).isEmpty {
                        chain.versions.append(spec)
                        chain.newest = spec
                    }
                    chain.blob = current
                } else {
                    chain.ended = true
                }
                chains[index] = chain
            }
            cursor = try repository.commit(id).parents.first
        }
        return chains.map { $0.versions.reversed() }
    }
}
