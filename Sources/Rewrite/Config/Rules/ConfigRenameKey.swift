import SkeinBasics

/// `configRenameKey`: renames the last key of a path, never onto a key that exists.
extension ConfigPlanner {
    mutating func configRenameKey(_ path: String, to: String, change: Change, in document: ConfigNode) {
        let keys = ConfigPlanner.keys(path)
        guard let (parent, entry, rest) = ConfigPlanner.resolve(document, keys), let entry, rest.isEmpty else { return }
        // A key of a flat `.properties` file is the whole dotted path: only its last part is renamed.
        let name = parent.dottedKeys ? (keys.dropLast() + [to]).joined(separator: ".") : to
        if entry.key.aliased {
            report(entry.key.line, "\(path) not renamed: \(YAMLLocator.anchoredRefusal)")
            return
        }
        if parent.entry(name) != nil {
            report(entry.key.line, "cannot rename \(path) to '\(to)': the key exists")
            return
        }
        renameKey(entry.key, to: name, changes: [change])
    }
}
