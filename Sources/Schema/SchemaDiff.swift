import SkeinBasics

/// The typed changes between two versions of a dataset (SPEC §3).
public enum SchemaDiff {
    /// The changes that take consumers of `old` to `new`, in the order rewrites apply them:
    /// dataset rename, location, version, then field renames, type changes, removals and
    /// additions. A field renamed and retyped gives a `renameField` and a `changeFieldType`
    /// under its new name.
    public static func changes(old: DatasetSpec, new: DatasetSpec) -> [Change] {
        var changes: [Change] = []
        let dataset = new.name
        if old.name != new.name {
            changes.append(.renameDataset(from: old.name, to: new.name))
        }
        if old.location != new.location {
            changes.append(.moveLocation(dataset: dataset, from: old.location, to: new.location))
        }
        if old.version != new.version {
            changes.append(.bumpVersion(dataset: dataset, from: old.version, to: new.version))
        }
        var matched: Set<String> = []
        var renames: [Change] = []
        var retypes: [Change] = []
        var additions: [Change] = []
        for field in new.fields {
            let before: FieldSpec?
            if let same = old.field(named: field.name) {
                before = same
            } else if let previous = field.previously, let renamed = old.field(named: previous) {
                before = renamed
                renames.append(.renameField(dataset: dataset, from: previous, to: field.name))
            } else {
                before = nil
            }
            guard let before else {
                additions.append(.addField(dataset: dataset, field: field.name, type: field.column))
                continue
            }
            matched.insert(before.name)
            if before.column != field.column {
                retypes.append(.changeFieldType(dataset: dataset, field: field.name, from: before.column, to: field.column))
            }
        }
        let removals = old.fields.filter { !matched.contains($0.name) }.map {
            Change.removeField(dataset: dataset, field: $0.name)
        }
        return changes + renames + retypes + removals + additions
    }
}
