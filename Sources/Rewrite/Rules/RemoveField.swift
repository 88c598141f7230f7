internal import SwiftSyntax
import SkeinBasics

/// `removeField`: a column is gone. Nothing is edited (deleting code is a person's call); every
/// use of the record's property, and every string literal naming the column, is reported.
struct RemoveField: SwiftRule {
    static let name = "RemoveField"
    let change: Change
    let dataset: String
    let field: String
    private var uses: [MemberRename] = []

    static func make(_ change: Change, migration: Migration) -> RemoveField? {
        guard case let .removeField(dataset, field) = change else { return nil }
        return RemoveField(change: change, dataset: dataset, field: field)
    }

    private init(change: Change, dataset: String, field: String) {
        self.change = change
        self.dataset = dataset
        self.field = field
    }

    var triggers: [Trigger] { [.word(field), .word(camelCase(field))] }

    mutating func prepare(in context: RewriteContext) {
        guard let transition = context.migration.transition(for: dataset) else { return }
        for record in DatasetRecord.find(for: transition, in: context.index) {
            guard let binding = record.binding(for: field, in: context.index) else { continue }
            uses.append(MemberRename(owner: record.type, from: binding.property, to: binding.property, kind: .property, change: change,
                                     reportOnly: true, reportMessage: "uses \(dataset).\(field), which the dataset no longer has"))
        }
    }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        for use in uses where file.text.containsWord(use.from) { use.apply(to: file, in: context) }
        for literal in StringLiterals.equal(to: field, in: file) {
            context.reference(change, edited: false)
            context.attention(file, literal, "string literal \"\(field)\" names the removed field \(dataset).\(field)")
        }
    }
}
