import SkeinBasics

/// Every Swift rule, by name. A test checks this matches the files of `Rewrite/Rules/`.
enum SwiftRules {
    static let all: [any SwiftRule.Type] = [
        RenameField.self, ChangeFieldType.self, RemoveField.self, RetiredName.self, MoveLocation.self, BumpVersion.self,
        ReplaceString.self, RenameDataset.self, RenameType.self, RenameMember.self, RenameModule.self,
    ]

    static var names: [String] { all.map { $0.name } }

    /// The rules a migration's changes call for, in the order of its changes.
    static func rules(for migration: Migration) -> [any SwiftRule] {
        var rules: [any SwiftRule] = []
        for change in migration.changes {
            for rule in all {
                if let made = rule.make(change, migration: migration) { rules.append(made) }
            }
        }
        return rules
    }
}
