internal import SwiftSyntax
import SkeinBasics

/// `changeFieldType`: a column's type or nullability changed. The record's stored property gets
/// the new Swift type in its annotation, Optional exactly when the column is nullable.
struct ChangeFieldType: SwiftRule {
    static let name = "ChangeFieldType"
    let change: Change
    let dataset: String
    let field: String
    let to: ColumnType
    /// The field's names the record may still use: its current one, then the ones renames take
    /// to it (a consumer left behind has the old property).
    let names: [String]
    private var annotations: [TypeSyntax] = []
    private var unannotated: [PatternBindingSyntax] = []

    static func make(_ change: Change, migration: Migration) -> ChangeFieldType? {
        guard case let .changeFieldType(dataset, field, _, to) = change else { return nil }
        let former = migration.changes.compactMap { other -> String? in
            if case let .renameField(renamed, from, into) = other, renamed == dataset, into == field { from } else { nil }
        }
        return ChangeFieldType(change: change, dataset: dataset, field: field, to: to, names: [field] + former)
    }

    private init(change: Change, dataset: String, field: String, to: ColumnType, names: [String]) {
        self.change = change
        self.dataset = dataset
        self.field = field
        self.to = to
        self.names = names
    }

    var triggers: [Trigger] { names.flatMap { [Trigger.word($0), .word(camelCase($0))] } }

    mutating func prepare(in context: RewriteContext) {
        guard let transition = context.migration.transition(for: dataset) else { return }
        for record in DatasetRecord.find(for: transition, in: context.index) {
            guard let binding = names.lazy.compactMap({ record.binding(for: $0, in: context.index) }).first,
                  let declaration = record.propertyBinding(binding.property, in: context.index) else { continue }
            if let annotation = declaration.typeAnnotation { annotations.append(annotation.type) } else { unannotated.append(declaration) }
        }
    }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        for type in annotations where file.owns(type) {
            let written = type.trimmedDescription
            let wanted: String
            if written.hasPrefix("Optional<") || written.hasSuffix("!") {
                wanted = to.nullable ? (written.hasSuffix("!") ? to.type.swiftType + "!" : "Optional<\(to.type.swiftType)>") : to.type.swiftType
            } else {
                wanted = to.swiftType
            }
            // Already the current type: a current name, not work (SPEC §3).
            if written == wanted { continue }
            context.reference(change, edited: file.replace(type, with: wanted))
        }
        for binding in unannotated where file.owns(binding) {
            context.reference(change, edited: false)
            context.attention(file, binding, "\(dataset).\(field) is now \(to.swiftType) but its property has no type annotation; not changed")
        }
    }
}
