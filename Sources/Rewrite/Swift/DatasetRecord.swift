internal import SwiftSyntax
import SkeinBasics

/// The Swift record type consumers decode a dataset's rows into, and how each field maps to it.
struct DatasetRecord {
    /// Qualified name of the record type.
    var type: String

    /// How one dataset field appears in the record.
    struct FieldBinding {
        /// The stored property holding the field.
        var property: String
        /// The `CodingKeys` case for the field, when the record declares one.
        var codingKey: String?
        /// The raw value token of that case (`case trackID = "track_id"`), when written.
        var rawValue: TokenSyntax?
        /// The property's name follows `convertFromSnakeCase` (`track_id` ↔ `trackId`).
        var camelCased: Bool
    }

    /// The record types of a dataset in this repo: the `swift.record` hint, or Codable structs and
    /// classes whose stored properties or coding keys cover most of the dataset's old fields.
    static func find(for transition: DatasetTransition, in index: SymbolIndex) -> [DatasetRecord] {
        if let hint = transition.record {
            let simple = String(hint.split(separator: ".").last ?? "")
            let named = index.qualifiedNames(simple: simple).filter { $0 == hint || $0.hasSuffix("." + hint) || hint == simple }
            let declared = named.filter { index.type(named: $0)?.declared == true }
            if !declared.isEmpty { return declared.sorted().map { DatasetRecord(type: $0) } }
        }
        // A consumer left behind decodes an earlier version: any version's fields may be the ones.
        let versions = (transition.history + [transition.new]).map { $0.fields.map(\.name) }.filter { !$0.isEmpty }
        guard !versions.isEmpty else { return [] }
        var records: [DatasetRecord] = []
        for (name, info) in index.allTypes().sorted(by: { $0.key < $1.key }) where info.declared && (info.kind == .struct || info.kind == .class) {
            let supertypes = Set(index.supertypes(of: name).map { String($0.split(separator: ".").last ?? "") })
            guard !supertypes.isDisjoint(with: ["Codable", "Decodable", "Encodable"]) else { continue }
            let record = DatasetRecord(type: name)
            let covers = versions.contains { fields in fields.filter { record.binding(for: $0, in: index) != nil }.count * 2 > fields.count }
            if covers { records.append(record) }
        }
        return records
    }

    /// The record's `CodingKeys` enum, when it declares one.
    func codingKeys(in index: SymbolIndex) -> SymbolIndex.TypeInfo? {
        index.type(named: type + ".CodingKeys").flatMap { $0.declared ? $0 : nil }
    }

    func binding(for field: String, in index: SymbolIndex) -> FieldBinding? {
        guard let info = index.type(named: type) else { return nil }
        if let keys = codingKeys(in: index) {
            for (name, members) in keys.members {
                for member in members where member.role == .case {
                    guard let element = member.node.as(EnumCaseElementSyntax.self) else { continue }
                    if let raw = element.rawValue?.value.as(StringLiteralExprSyntax.self), raw.segments.count == 1,
                       let segment = raw.segments.first?.as(StringSegmentSyntax.self) {
                        if segment.content.text == field {
                            return FieldBinding(property: name, codingKey: name, rawValue: segment.content, camelCased: false)
                        }
                    } else if name == field {
                        return FieldBinding(property: name, codingKey: name, rawValue: nil, camelCased: false)
                    }
                }
            }
        }
        if info.storedProperties.contains(field) { return FieldBinding(property: field, codingKey: nil, rawValue: nil, camelCased: false) }
        let camel = camelCase(field)
        if camel != field, info.storedProperties.contains(camel) {
            return FieldBinding(property: camel, codingKey: nil, rawValue: nil, camelCased: true)
        }
        return nil
    }

    /// The binding declaration of a stored property of the record.
    func propertyBinding(_ property: String, in index: SymbolIndex) -> PatternBindingSyntax? {
        index.ownMembers(property, of: type).first { $0.role == .property }?.node.as(PatternBindingSyntax.self)
    }
}
