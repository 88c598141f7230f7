internal import SwiftSyntax
import SkeinBasics

/// `retiredName`: a field name an earlier version retired and the current version uses again
/// for another field. A consumer's use of it may mean either field, so nothing is edited; every
/// use of the record's property and every string literal naming it is reported.
struct RetiredName: SwiftRule {
    static let name = "RetiredName"
    let change: Change
    let dataset: String
    let field: String
    private var uses: [MemberRename] = []

    static func make(_ change: Change, migration: Migration) -> RetiredName? {
        guard case let .retiredName(dataset, field) = change else { return nil }
        return RetiredName(change: change, dataset: dataset, field: field)
    }

    private init(change: Change, dataset: String, field: String) {
        self.change = change
        self.dataset = dataset
        self.field = field
    }

    var triggers: [Trigger] { [.word(field), .word(camelCase(field))] }

    private var message: String {
        "uses \(dataset).\(field), a name an earlier version retired and the current one gives another field; not changed"
    }

    mutating func prepare(in context: RewriteContext) {
        guard let transition = context.migration.transition(for: dataset) else { return }
        for record in DatasetRecord.find(for: transition, in: context.index) {
            guard let binding = record.binding(for: field, in: context.index) else { continue }
            uses.append(MemberRename(owner: record.type, from: binding.property, to: binding.property, kind: .property, change: change,
                                     reportOnly: true, reportMessage: message))
        }
    }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        for use in uses where file.text.containsWord(use.from) { use.apply(to: file, in: context) }
        for literal in StringLiterals.equal(to: field, in: file) {
            context.reference(change, edited: false)
            context.attention(file, literal, "string literal \"\(field)\" \(message)")
        }
    }
}
