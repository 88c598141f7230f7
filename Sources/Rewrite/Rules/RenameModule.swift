internal import SwiftSyntax
import SkeinBasics

/// `renameModule`: a library module is renamed. `import` declarations, module-qualified names
/// (`PlaysKit.PlaysClient`), and in `Package.swift` the product and target names in targets'
/// `dependencies:` change. The consumer's own target declarations do not.
struct RenameModule: SwiftRule {
    static let name = "RenameModule"
    let change: Change
    let from: String
    let to: String

    static func make(_ change: Change, migration: Migration) -> RenameModule? {
        guard case let .renameModule(from, to) = change, !from.isEmpty, !to.isEmpty else { return nil }
        return RenameModule(change: change, from: from, to: to)
    }

    var triggers: [Trigger] { [.word(from)] }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        let isManifest = file.path.split(separator: "/").last.map { $0 == "Package.swift" || $0.hasPrefix("Package@swift") } ?? false
        let declaredType = context.index.resolveTypeName([from], context: nil) != nil
        if isManifest {
            for token in file.tree.tokens(viewMode: .sourceAccurate) {
                guard case .stringSegment = token.tokenKind, token.text == from, isDependencyName(token) else { continue }
                context.reference(change, edited: file.replace(token, with: to))
            }
        }
        for token in file.identifierTokens(named: from) {
            guard let parent = token.parent else { continue }
            if parent.is(ImportPathComponentSyntax.self) {
                context.reference(change, edited: file.replace(token, with: token.renamed(to)))
            } else if !declaredType, let identifier = parent.as(IdentifierTypeSyntax.self),
                      identifier.parent?.as(MemberTypeSyntax.self)?.baseType.id == TypeSyntax(identifier).id {
                context.reference(change, edited: file.replace(token, with: token.renamed(to)))
            } else if !declaredType, let reference = parent.as(DeclReferenceExprSyntax.self),
                      reference.parent?.as(MemberAccessExprSyntax.self)?.base?.id == ExprSyntax(reference).id,
                      context.resolver.bindingType(from, at: parent) == nil {
                context.reference(change, edited: file.replace(token, with: token.renamed(to)))
            }
        }
    }

    /// A string in a target's `dependencies:` list: `"X"`, `.product(name: "X", ...)`,
    /// `.target(name: "X")`, `.byName(name: "X")`.
    private func isDependencyName(_ token: TokenSyntax) -> Bool {
        guard let literal = token.ancestor(StringLiteralExprSyntax.self), literal.segments.count == 1 else { return false }
        var current = Syntax(literal).parent
        var insideReferenceCall = false
        while let candidate = current {
            if let argument = candidate.as(LabeledExprSyntax.self) {
                if argument.label?.text == "dependencies" { return true }
                if argument.label?.text == "name", let call = argument.parent?.parent?.as(FunctionCallExprSyntax.self),
                   let callee = call.calledExpression.as(MemberAccessExprSyntax.self)?.declName.baseName.text {
                    guard ["product", "target", "byName"].contains(callee) else { return false }
                    insideReferenceCall = true
                } else if argument.label != nil, !insideReferenceCall {
                    return false
                }
            }
            if candidate.is(CodeBlockItemSyntax.self) { return false }
            current = candidate.parent
        }
        return false
    }
}
