internal import SwiftSyntax
import SkeinBasics

/// `renameType`: a type (possibly nested, `Node.Scalar`, or a protocol) is renamed. Its
/// declaration and every written reference that resolves to it — type annotations, extensions,
/// conformances, generic arguments, `T(...)`, `T.member`, `Outer.T` — change; a same-named type
/// nested elsewhere, comments and string literals do not.
struct RenameType: SwiftRule {
    static let name = "RenameType"
    let change: Change
    /// Qualified as the migration names it.
    let from: String
    let to: String
    let simpleName: String

    static func make(_ change: Change, migration: Migration) -> RenameType? {
        guard case let .renameType(from, to) = change, !from.isEmpty, !to.isEmpty else { return nil }
        return RenameType(change: change, from: from, to: SymbolIndex.simpleName(to), simpleName: SymbolIndex.simpleName(from))
    }

    var triggers: [Trigger] { [.word(simpleName)] }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        if let targets = compilerTargets(in: context), context.compiler?.covered.contains(file.path) == true {
            let declaredHere = context.index.type(named: from)?.declared == true || context.index.aliasedType(from) != nil
            let edits = context.counting(change) {
                targets.apply(name: simpleName, to: file, in: context, change: change,
                              edit: { context.reference(change, edited: file.replace($0, with: $0.renamed(to))) },
                              undecided: { apply(to: $0, in: file, context: context, declaredHere: declaredHere) })
            }
            context.decided(change, byIndex: true, file: file.path, edits: edits)
            return
        }
        let edits = context.counting(change) { applyBySyntax(to: file, in: context) }
        context.decided(change, byIndex: false, file: file.path, edits: edits)
    }

    /// What the compiler index says the type is: the symbols declared where the repo declares
    /// it, and where they are written.
    private func compilerTargets(in context: RewriteContext) -> CompilerTargets? {
        guard context.compiler != nil else { return nil }
        let key = "type \(from)"
        if let known = context.compilerTargets[key] { return known }
        var tokens = context.index.type(named: from)?.declarations ?? []
        if tokens.isEmpty, context.index.aliasedType(from) != nil {
            tokens = context.index.typealiasDeclarations(from)
        }
        let found = CompilerTargets.find(declaredAt: tokens, in: context) { compiler in
            compiler.dependencyTypes(from.split(separator: ".").map(String.init))
        }
        context.compilerTargets[key] = found
        return found
    }

    /// The syntax resolver's decisions, for files the compiler index does not cover.
    private func applyBySyntax(to file: SwiftFile, in context: RewriteContext) {
        let index = context.index
        let declaredHere = index.type(named: from)?.declared == true || index.aliasedType(from) != nil
        let occurrences = file.rawOccurrences(of: simpleName)
        var inContext: [Int] = []
        var found = 0, edited = 0
        if let meaning = contextFreeMeaning(of: occurrences, context: context, declaredHere: declaredHere) {
            // The name means the same wherever this file writes it as a type, as a type's name or
            // as a plain reference: those are decided without looking at their surroundings.
            for occurrence in occurrences {
                let matches: Bool
                switch occurrence.parent {
                case .identifierType: matches = meaning.asType
                case .structDecl, .classDecl, .enumDecl, .protocolDecl, .actorDecl, .typeAliasDecl: matches = simpleName == from
                case .declReferenceExpr where meaning.asValue && (occurrence.grandparent != .memberAccessExpr || occurrence.isMemberAccessBase):
                    matches = meaning.asType
                default:
                    inContext.append(occurrence.start)
                    continue
                }
                guard matches else { continue }
                let renamed = occurrence.text.hasPrefix("`") ? "`\(to)`" : to
                found += 1
                if file.replace(from: occurrence.start, to: occurrence.end, with: renamed) { edited += 1 }
            }
            context.references(change, found: found, edited: edited)
        } else {
            inContext = occurrences.map(\.start)
        }
        for token in file.tokens(at: inContext) {
            guard case .identifier = token.tokenKind, token.identifierText == simpleName else { continue }
            apply(to: token, in: file, context: context, declaredHere: declaredHere)
        }
    }

    /// What the name means in this file when that does not depend on where it is written: no
    /// type or typealias of that name is nested in another type (or declared in a body here),
    /// and no generic parameter of that name is declared here. `asValue` is false when some
    /// occurrence may bind a local of that name, so plain references need their scope.
    private func contextFreeMeaning(of occurrences: [RawOccurrence], context: RewriteContext, declaredHere: Bool)
        -> (asType: Bool, asValue: Bool)? {
        guard !context.index.isNestedAnywhere(simpleName) else { return nil }
        var asValue = !TypeResolver.implicitBindings.contains(simpleName)
        for occurrence in occurrences {
            switch occurrence.parent {
            case .genericParameter: return nil
            case .structDecl, .classDecl, .enumDecl, .protocolDecl, .actorDecl, .typeAliasDecl:
                if !occurrence.isTopLevel { return nil }
            default:
                if !SwiftFile.nonBindingParents.contains(occurrence.parent) { asValue = false }
            }
        }
        let asType = context.index.resolveTypeName([simpleName], context: nil).map { $0 == from } ?? (!declaredHere && simpleName == from)
        return (asType, asValue)
    }

    /// One occurrence whose meaning depends on its surroundings.
    private func apply(to token: TokenSyntax, in file: SwiftFile, context: RewriteContext, declaredHere: Bool) {
        let index = context.index, resolver = context.resolver
        guard let parent = token.parent else { return }
        var matches = false
        if isTypeDeclarationName(token, parent) {
            let outer = resolver.enclosingType(of: parent)
            matches = (outer.map { $0 + "." + simpleName } ?? simpleName) == from
        } else if let identifier = parent.as(IdentifierTypeSyntax.self) {
            if resolvesToGenericParameter(identifier) { return }
            matches = refersToType(written: [simpleName], at: parent, context: context, declaredHere: declaredHere)
        } else if let member = parent.as(MemberTypeSyntax.self), member.name.id == token.id {
            let base = SymbolIndex.components(of: member.baseType) ?? []
            let enclosing = index.isNestedAnywhere(base.first ?? "") ? resolver.enclosingType(of: parent) : nil
            if let resolvedBase = index.resolveTypeName(base, context: enclosing) {
                matches = resolvedBase + "." + simpleName == from
            } else {
                // `Module.Type`, or a nested type of a type from elsewhere.
                matches = (base.joined(separator: ".") + "." + simpleName) == from || (!declaredHere && from == simpleName && base.count == 1)
                    || (base.count == 1 && index.isModuleName(base[0]) && from == simpleName)
            }
        } else if let reference = parent.as(DeclReferenceExprSyntax.self) {
            if let access = reference.parent?.as(MemberAccessExprSyntax.self), access.declName.id == reference.id {
                guard let base = access.base else { return }
                if let module = base.as(DeclReferenceExprSyntax.self), index.isModuleName(module.baseName.identifierText) {
                    matches = simpleName == from
                } else if case .meta(let owner) = resolver.typeOf(base) {
                    matches = owner + "." + simpleName == from
                }
            } else {
                if resolver.bindingType(simpleName, at: parent) != nil { return }
                matches = refersToType(written: [simpleName], at: parent, context: context, declaredHere: declaredHere)
            }
        }
        guard matches else { return }
        context.reference(change, edited: file.replace(token, with: token.renamed(to)))
    }

    private func isTypeDeclarationName(_ token: TokenSyntax, _ parent: Syntax) -> Bool {
        for kind in [StructDeclSyntax.self, ClassDeclSyntax.self, EnumDeclSyntax.self, ProtocolDeclSyntax.self, ActorDeclSyntax.self] as [any DeclSyntaxProtocol.Type] {
            if parent.is(kind) { return (parent.asProtocol(NamedDeclSyntax.self)?.name.id == token.id) }
        }
        if let alias = parent.as(TypeAliasDeclSyntax.self) { return alias.name.id == token.id }
        return false
    }

    private func resolvesToGenericParameter(_ type: IdentifierTypeSyntax) -> Bool {
        var current = Syntax(type).parent
        while let candidate = current {
            if let clause = candidate.asProtocol(WithGenericParametersSyntax.self)?.genericParameterClause,
               clause.parameters.contains(where: { $0.name.identifierText == simpleName }) { return true }
            current = candidate.parent
        }
        return false
    }

    private func refersToType(written: [String], at node: Syntax, context: RewriteContext, declaredHere: Bool) -> Bool {
        // A name no nested type shares means the same everywhere: no need for the enclosing type.
        let enclosing = context.index.isNestedAnywhere(written[0]) ? context.resolver.enclosingType(of: node) : nil
        if let resolved = context.index.resolveTypeName(written, context: enclosing) { return resolved == from }
        // Not declared in the repo: a type from a dependency, named as written.
        return !declaredHere && written.joined(separator: ".") == from
    }
}
