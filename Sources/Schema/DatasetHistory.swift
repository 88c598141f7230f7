import GitKit
import SkeinBasics

extension Registry {
    /// The versions of one dataset before `commit`'s, oldest first, read along the first-parent
    /// line of the registry: each time its file's content changed a schema-relevant way, one
    /// entry. A dataset rename (`previously:` at the top level) is followed to the old file.
    /// Versions that do not parse are passed over: history cannot be fixed, and the newer
    /// versions still say what consumers may use.
    func history(
        of dataset: DatasetSpec, before commit: ObjectID, in repository: Repository, limit: Int = 2_000
    ) throws -> [DatasetSpec] {
        var versions: [DatasetSpec] = []
        var newest = dataset
        var path = dataset.path
        var blob = try datasetBlobs(at: commit, in: repository)[path]
        var cursor = try repository.commit(commit).parents.first
        var walked = 0
        while let id = cursor, walked < limit {
            walked += 1
            let blobs = try datasetBlobs(at: id, in: repository)
            if blobs[path] == nil, let previous = newest.previousName {
                // The dataset's file under its old name, if the old dataset was there.
                let old = blobs.compactMap { entry -> (String, ObjectID)? in
                    guard blob != entry.value, let spec = try? DatasetFile.parse(data: repository.blob(entry.value), path: entry.key),
                          spec.name == previous else { return nil }
                    return (entry.key, entry.value)
                }.first
                guard let old else { break }
                path = old.0
            }
            guard let current = blobs[path] else { break }
            if current != blob, let spec = try? DatasetFile.parse(data: repository.blob(current), path: path),
               !SchemaDiff.changes(old: spec, new: newest).isEmpty {
                versions.append(spec)
                newest = spec
            }
            blob = current
            cursor = try repository.commit(id).parents.first
        }
        return versions.reversed()
    }
}
