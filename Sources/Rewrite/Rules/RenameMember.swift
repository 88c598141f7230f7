import SkeinBasics

/// `renameMember`: a member of one type (enum case, property or method; a protocol requirement
/// with its witnesses) is renamed at its declaration and at every reference that resolves to
/// that type. Members of other types sharing the name are untouched; references whose type the
/// source does not decide are reported.
struct RenameMember: SwiftRule {
    static let name = "RenameMember"
    let change: Change
    let type: String
    let from: String
    let to: String
    let kind: MemberKind?
    private var owner: String

    static func make(_ change: Change, migration: Migration) -> RenameMember? {
        guard case let .renameMember(type, from, to, kind) = change, !type.isEmpty, !from.isEmpty, !to.isEmpty else { return nil }
        return RenameMember(change: change, type: type, from: from, to: to, kind: kind, owner: type)
    }

    var triggers: [Trigger] { [.word(from)] }

    mutating func prepare(in context: RewriteContext) {
        let components = type.split(separator: ".").map(String.init)
        owner = context.index.resolveTypeName(components, context: nil) ?? type
    }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        MemberRename(owner: owner, from: from, to: to, kind: kind, change: change).apply(to: file, in: context)
    }
}
