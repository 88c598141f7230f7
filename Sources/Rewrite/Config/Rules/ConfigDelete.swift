import SkeinBasics

/// `configDelete`: removes the entry at a key path with the text that belongs to it.
extension ConfigPlanner {
    mutating func configDelete(_ path: String, change: Change, in document: ConfigNode) {
        guard let (_, entry, rest) = ConfigPlanner.resolve(document, ConfigPlanner.keys(path)), let entry, rest.isEmpty else { return }
        guard let range = entry.deletion else {
            report(entry.key.line, "cannot delete \(path): \(entry.deletionRefusal ?? "no safe range")")
            return
        }
        edits.append(PlannedEdit(splices: [(range, entry.deletionText)], effect: .deleteEntry(keyID: entry.key.id), changes: [change],
                                 line: entry.key.line, what: "delete \(path)"))
        edited.insert(entry.key.id)
    }
}
