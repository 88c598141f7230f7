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

extension SchemaDiff {
    /// The composed changes that take a consumer of any version in `history` (oldest first) to
    /// `new`, and the version each change takes consumers from (SPEC §3, catch-up). Renames
    /// compose (`a→b` then `b→c` gives `a→c` and `b→c`), every earlier location and version id
    /// goes to the current one, and a field name retired earlier that `new` uses again for
    /// another field becomes `retiredName`: never rewritten, reported where found. Changes come
    /// in the order of `changes(old:new:)`; locations longest first, so a location under another
    /// is matched before the shorter one.
    public static func catchUp(history: [DatasetSpec], new: DatasetSpec) -> (changes: [Change], origins: [Change: Int]) {
        guard let last = history.last else { return ([], [:]) }
        let dataset = new.name
        let current = Set(new.fields.map(\.name))
        // Each current field's name in each version, newest first, following `previously:`.
        var lineage: [String: [String?]] = [:]
        let versions = history + [new]
        for field in new.fields {
            var names: [String?] = Array(repeating: nil, count: versions.count)
            names[versions.count - 1] = field.name
            var name: String? = field.name
            for index in stride(from: versions.count - 1, to: 0, by: -1) {
                guard let known = name, let here = versions[index].field(named: known) else { name = nil; break }
                let before = versions[index - 1]
                if before.field(named: known) != nil, here.previously == nil || before.field(named: here.previously!) == nil {
                    name = known
                } else if let previous = here.previously, before.field(named: previous) != nil {
                    name = previous
                } else {
                    name = nil
                }
                names[index - 1] = name
            }
            lineage[field.name] = names
        }
        var origins: [Change: Int] = [:]
        var datasetRenames: [Change] = [], moves: [Change] = [], bumps: [Change] = []
        var renames: [Change] = [], retired: [Change] = [], retypes: [Change] = [], removals: [Change] = []
        var retypedFields: Set<String> = []
        func note(_ change: Change, _ version: Int, into list: inout [Change]) {
            guard origins[change] == nil else { return }
            origins[change] = version
            list.append(change)
        }
        for (index, old) in history.enumerated() {
            if old.name != new.name { note(.renameDataset(from: old.name, to: new.name), old.version, into: &datasetRenames) }
            if old.location != new.location { note(.moveLocation(dataset: dataset, from: old.location, to: new.location), old.version, into: &moves) }
            if old.version != new.version { note(.bumpVersion(dataset: dataset, from: old.version, to: new.version), old.version, into: &bumps) }
            var kept: Set<String> = []
            for field in new.fields {
                guard let name = lineage[field.name]?[index], let before = old.field(named: name) else { continue }
                kept.insert(name)
                if name != field.name {
                    if current.contains(name) {
                        note(.retiredName(dataset: dataset, field: name), old.version, into: &retired)
                    } else {
                        note(.renameField(dataset: dataset, from: name, to: field.name), old.version, into: &renames)
                    }
                }
                // One type change per field: the rule writes the current type whatever the old one.
                if before.column != field.column, !retypedFields.contains(field.name) {
                    retypedFields.insert(field.name)
                    note(.changeFieldType(dataset: dataset, field: field.name, from: before.column, to: field.column), old.version, into: &retypes)
                }
            }
            for field in old.fields where !kept.contains(field.name) {
                if current.contains(field.name) {
                    note(.retiredName(dataset: dataset, field: field.name), old.version, into: &retired)
                } else {
                    note(.removeField(dataset: dataset, field: field.name), old.version, into: &removals)
                }
            }
        }
        // Additions are news of the last step only: older ones are no longer new to anyone.
        let additions = changes(old: last, new: new).filter { if case .addField = $0 { true } else { false } }
        for change in additions { origins[change] = last.version }
        moves.sort { lhs, rhs in
            guard case let .moveLocation(_, left, _) = lhs, case let .moveLocation(_, right, _) = rhs else { return false }
            return left.count > right.count
        }
        return (datasetRenames + moves + bumps + renames + retired + retypes + removals + additions, origins)
    }
}
