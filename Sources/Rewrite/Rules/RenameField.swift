internal import SwiftSyntax
import SkeinBasics

/// `renameField`: a dataset column was renamed. On the record type, an explicit `CodingKeys` raw
/// value is all that changes (the Swift name stays); otherwise the stored property is renamed
/// with every reference that resolves to it, its `CodingKeys` case and `forKey:` uses. A string
/// literal equal to the old column name is reported, not changed: only a person knows whether it
/// means the column.
struct RenameField: SwiftRule {
    static let name = "RenameField"
    let change: Change
    let dataset: String
    let from: String
    let to: String
    private var renames: [MemberRename] = []
    private var rawValues: [TokenSyntax] = []
    private var recordFound = false

    static func make(_ change: Change, migration: Migration) -> RenameField? {
        guard case let .renameField(dataset, from, to) = change else { return nil }
        return RenameField(change: change, dataset: dataset, from: from, to: to)
    }

    private init(change: Change, dataset: String, from: String, to: String) {
        self.change = change
        self.dataset = dataset
        self.from = from
        self.to = to
    }

    var triggers: [Trigger] { [.word(from), .word(camelCase(from))] }

    mutating func prepare(in context: RewriteContext) {
        guard let transition = context.migration.transition(for: dataset) else { return }
        for record in DatasetRecord.find(for: transition, in: context.index) {
            recordFound = true
            guard let binding = record.binding(for: from, in: context.index) else { continue }
            if let raw = binding.rawValue {
                rawValues.append(raw)
                continue
            }
            let newProperty = binding.camelCased ? camelCase(to) : to
            renames.append(MemberRename(owner: record.type, from: binding.property, to: newProperty, kind: .property, change: change))
            if let key = binding.codingKey {
                renames.append(MemberRename(owner: record.type + ".CodingKeys", from: key, to: to, kind: .case, change: change))
            }
        }
    }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        for raw in rawValues where file.owns(raw) {
            context.reference(change, edited: file.replace(raw, with: to))
        }
        for rename in renames where file.text.containsWord(rename.from) {
            rename.apply(to: file, in: context)
        }
        if !recordFound {
            // No record type found: uses of the name may still be the column; a person decides.
            for token in file.identifierTokens(named: from) {
                guard let reference = token.parent?.as(DeclReferenceExprSyntax.self),
                      reference.parent?.is(MemberAccessExprSyntax.self) == true || reference.parent?.is(KeyPathPropertyComponentSyntax.self) == true
                else { continue }
                context.reference(change, edited: false)
                context.attention(file, token, "`.\(from)` may be the renamed field \(dataset).\(from), but no record type of \(dataset) was found; not changed")
            }
        }
        for literal in StringLiterals.equal(to: from, in: file) where !rawValues.contains(where: { $0.parent?.parent?.parent?.id == literal.id }) {
            context.reference(change, edited: false)
            context.attention(file, literal, "string literal \"\(from)\" names the renamed field \(dataset).\(from) (now \(to)); not changed")
        }
    }
}
