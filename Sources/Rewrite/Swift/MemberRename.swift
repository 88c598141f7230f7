internal import SwiftSyntax
import SkeinBasics

/// Renames one member of one type everywhere the source shows it is meant: its declaration
/// (and, for a protocol requirement, its witnesses; for a class member, overrides), member
/// accesses on values of that type, implicit members `.name` with that contextual type, bare
/// uses inside the type, key path components, and (for stored properties) memberwise
/// initializer labels. Members of other types that share the name are left alone; a reference
/// whose type the source does not decide is left alone and reported.
struct MemberRename {
    /// Qualified name of the type (`Node.Scalar`), declared in the repo or not.
    var owner: String
    var from: String
    var to: String
    var kind: MemberKind?
    var change: Change
    /// Report references instead of renaming them (`removeField`).
    var reportOnly = false
    var reportMessage: String? = nil

    enum Decision { case target, other, unknown }

    func apply(to file: SwiftFile, in context: RewriteContext) {
        if let targets = compilerTargets(in: context), context.compiler?.covered.contains(file.path) == true {
            let edits = context.counting(change) {
                targets.apply(name: from, to: file, in: context, change: change,
                              edit: { handle(.target, $0, file: file, context: context, what: "") },
                              undecided: { visit($0, file: file, context: context) })
                // Argument labels are not indexed: a memberwise initializer's label is decided
                // from the source, as the resolver does.
                for token in file.identifierTokens(named: from)
                where token.parent?.is(LabeledExprSyntax.self) == true
                    && token.ifConfigClause.map({ targets.isActive($0, in: file, context: context) }) ?? true
                    && targets.places[file.path]?.contains(file.place(of: token)) != true {
                    visit(token, file: file, context: context)
                }
            }
            context.decided(change, byIndex: true, file: file.path, edits: edits)
            return
        }
        let edits = context.counting(change) {
            for token in file.identifierTokens(named: from) {
                visit(token, file: file, context: context)
            }
        }
        context.decided(change, byIndex: false, file: file.path, edits: edits)
    }

    /// What the compiler index says this member is: its declarations in the repo (of the kind
    /// asked for), their witnesses and overrides, and where all of them are written.
    private func compilerTargets(in context: RewriteContext) -> CompilerTargets? {
        guard context.compiler != nil else { return nil }
        let key = "member \(owner) \(from) \(kind.map { "\($0)" } ?? "")"
        if let known = context.compilerTargets[key] { return known }
        let tokens = context.index.ownMembers(from, of: owner).compactMap { member -> TokenSyntax? in
            guard kind == nil || member.memberKind == kind else { return nil }
            if let binding = member.node.as(PatternBindingSyntax.self) { return binding.pattern.as(IdentifierPatternSyntax.self)?.identifier }
            if let function = member.node.as(FunctionDeclSyntax.self) { return function.name }
            if let element = member.node.as(EnumCaseElementSyntax.self) { return element.name }
            return nil
        }
        let declared = context.index.type(named: owner)?.declared == true
        let found = CompilerTargets.find(declaredAt: tokens, in: context) { compiler in
            guard !declared else { return [] }
            return compiler.dependencySymbols(named: from, in: owner.split(separator: ".").map(String.init)).filter { usr in
                guard let kind, let symbol = compiler.index.symbols[usr] else { return true }
                switch kind {
                case .case: return symbol.kind == .enumCase
                case .property: return [.instanceProperty, .staticProperty, .classProperty, .variable, .field].contains(symbol.kind)
                case .method: return [.instanceMethod, .staticMethod, .classMethod, .function].contains(symbol.kind)
                }
            }
        }
        context.compilerTargets[key] = found
        return found
    }

    private func visit(_ token: TokenSyntax, file: SwiftFile, context: RewriteContext) {
        let resolver = context.resolver
        guard let parent = token.parent else { return }
        if let reference = parent.as(DeclReferenceExprSyntax.self) {
            if let access = reference.parent?.as(MemberAccessExprSyntax.self), access.declName.id == reference.id {
                let isCall = access.parent?.as(FunctionCallExprSyntax.self)?.calledExpression.id == ExprSyntax(access).id
                let base: TypeRef = access.base.map(resolver.typeOf) ?? resolver.contextualType(of: ExprSyntax(access))
                // A case is reached through its type (`T.name`, `.name`), never through a value.
                if kind == .case, let written = access.base, Self.isValue(written, base) { return }
                handle(decide(base, isCall: isCall, at: Syntax(token), context: context, instance: access.base != nil && Self.isValue(access.base!, base)),
                       token, file: file, context: context,
                       what: access.base.map { "`\($0.trimmedDescription)`" } ?? "the implicit member")
                return
            }
            if let component = reference.parent?.as(KeyPathPropertyComponentSyntax.self) {
                handle(decide(keyPathBase(component, resolver: resolver), isCall: false, at: Syntax(token), context: context), token,
                       file: file, context: context, what: "the key path's root")
                return
            }
            // A bare name: a local, or a member of the enclosing type through implicit self.
            let node = Syntax(reference)
            if resolver.bindingType(from, at: node) != nil { return }
            guard let enclosing = resolver.enclosingType(of: node) else { return }
            let members = context.index.lookupMember(from, in: enclosing)
            guard !members.isEmpty else { return }
            let isCall = reference.parent?.as(FunctionCallExprSyntax.self)?.calledExpression.id == ExprSyntax(reference).id
            // Implicit `self` in an instance context is a value: it never reaches a case.
            let instance = !resolver.isStaticContext(node)
            if kind == .case, instance { return }
            handle(decide(.nominal(enclosing), isCall: isCall, at: Syntax(token), context: context, instance: instance), token,
                   file: file, context: context, what: "self")
            return
        }
        if let pattern = parent.as(IdentifierPatternSyntax.self),
           let binding = pattern.parent?.as(PatternBindingSyntax.self),
           let variable = binding.parent?.parent?.as(VariableDeclSyntax.self) {
            declaration(Syntax(variable), role: .property, isOverride: variable.modifiers.contains { $0.name.tokenKind == .keyword(.override) },
                        token, file: file, context: context)
            return
        }
        if let function = parent.as(FunctionDeclSyntax.self), function.name.id == token.id {
            declaration(Syntax(function), role: .method, isOverride: function.modifiers.contains { $0.name.tokenKind == .keyword(.override) },
                        token, file: file, context: context)
            return
        }
        if let element = parent.as(EnumCaseElementSyntax.self), element.name.id == token.id,
           let caseDecl = element.ancestor(EnumCaseDeclSyntax.self) {
            declaration(Syntax(caseDecl), role: .case, isOverride: false, token, file: file, context: context)
            return
        }
        if let argument = parent.as(LabeledExprSyntax.self), argument.label?.id == token.id,
           kind != .method, kind != .case,
           let call = argument.parent?.parent?.as(FunctionCallExprSyntax.self) {
            // A memberwise initializer label of the owner (a struct with no initializer of its own).
            guard case .meta(let type) = context.resolver.typeOf(call.calledExpression), type == owner,
                  let info = context.index.type(named: owner), info.kind == .struct, info.declared, !info.hasExplicitInitializer,
                  info.storedProperties.contains(from) else { return }
            handle(.target, token, file: file, context: context, what: "")
        }
    }

    private func declaration(_ decl: Syntax, role: SymbolIndex.MemberRole, isOverride: Bool, _ token: TokenSyntax,
                             file: SwiftFile, context: RewriteContext) {
        // Only members: declarations directly in a type's or extension's body.
        guard decl.parent?.is(MemberBlockItemSyntax.self) == true,
              let enclosing = context.resolver.enclosingType(of: decl) else { return }
        if let kind, kind != memberKind(role) { return }
        let matches = enclosing == owner
            || (context.index.inherits(enclosing, from: owner)
                && (context.index.type(named: owner)?.kind == .protocol || isOverride || context.index.type(named: owner)?.declared != true))
        if matches { handle(.target, token, file: file, context: context, what: "") }
    }

    private func memberKind(_ role: SymbolIndex.MemberRole) -> MemberKind? {
        switch role {
        case .property: .property
        case .method: .method
        case .case: .case
        default: nil
        }
    }

    /// The type a key path component is looked up on.
    private func keyPathBase(_ component: KeyPathPropertyComponentSyntax, resolver: TypeResolver) -> TypeRef {
        guard let keyPath = component.ancestor(KeyPathExprSyntax.self) else { return .unknown }
        var current = resolver.keyPathRoot(keyPath)
        for part in keyPath.components {
            if case .property(let property) = part.component {
                if property.id == component.id { return current }
                current = resolver.memberType(property.declName.baseName.identifierText, on: current)
            } else if case .optional = part.component {
                current = current.unwrapped
            } else {
                current = .unknown
            }
        }
        return .unknown
    }

    /// Whether `.from` on a value (or metatype) of `base` is the member being renamed.
    /// Whether a member access's base is a value rather than a type: its type is known to be
    /// a value's, or it is written as one (`$0`, `self`, a lower-case name).
    static func isValue(_ written: ExprSyntax, _ type: TypeRef) -> Bool {
        if case .meta = type.unwrapped { return false }
        if case .nominal = type.unwrapped { return true }
        // A call's result is a value (`type(of:)` aside), as are literals.
        if let call = written.as(FunctionCallExprSyntax.self) {
            return call.calledExpression.as(DeclReferenceExprSyntax.self)?.baseName.text != "type"
        }
        if written.is(StringLiteralExprSyntax.self) || written.is(ArrayExprSyntax.self) || written.is(DictionaryExprSyntax.self) { return true }
        guard let reference = written.as(DeclReferenceExprSyntax.self) else { return false }
        switch reference.baseName.tokenKind {
        case .dollarIdentifier, .keyword(.self): return true
        case .identifier: return reference.baseName.identifierText.first?.isLowercase == true
        default: return false
        }
    }

    func decide(_ base: TypeRef, isCall: Bool, at node: Syntax, context: RewriteContext, instance: Bool = false) -> Decision {
        var type: String
        switch base.unwrapped {
        case .nominal(let name), .meta(let name): type = name
        case .unknown: return .unknown
        case .function: return .unknown
        default: return .other
        }
        // An associated type, with what the surrounding where clauses add to it.
        if context.index.type(named: type)?.kind == .associatedType {
            type = ([type] + context.resolver.useSiteConstraints(type, at: node)).joined(separator: " & ")
        }
        // Members of `Any`/`AnyObject` are looked up at run time: the source cannot tell.
        if type == "Any" || type == "AnyObject" { return .unknown }
        // Through a value, only instance members are reached: never a case of the same name.
        let members = context.index.lookupMember(from, in: type).filter { $0.role != .initializer && $0.role != .type && !(instance && $0.role == .case) }
        if let member = members.first {
            if let kind, !members.contains(where: { $0.memberKind == kind }) { return .other }
            guard let declaring = member.owner else { return .other }
            if declaring == owner { return .target }
            if context.index.inherits(declaring, from: owner) { return .target }
            // A protocol requirement reached through a conforming type's own witness.
            if context.index.type(named: owner)?.kind == .protocol, context.index.inherits(type, from: owner) { return .target }
            return .other
        }
        if type == owner || context.index.inherits(type, from: owner) {
            if kind == .property, isCall { return .other }
            return .target
        }
        // A value known only by a protocol (a generic parameter, an existential) may have the
        // member from a conformance the source does not show here.
        let parts = type.components(separatedBy: " & ")
        if parts.contains(where: { [.protocol, .associatedType].contains(context.index.type(named: $0)?.kind) && context.index.type(named: $0)?.declared == true }),
           context.index.type(named: owner)?.declared == true {
            return .unknown
        }
        if parts.allSatisfy({ context.index.type(named: $0)?.declared == true || wellKnownExternalTypes.contains($0) }) { return .other }
        // A name the repo does not declare. When the owner is the repo's own type, that name may
        // still stand for it (an associated type, a typealias from elsewhere): undecided. When
        // the owner comes from a dependency, only the owner's name itself refers to it.
        if context.index.type(named: owner)?.declared == true, !type.contains(".") { return .unknown }
        return .other
    }

    /// Whether the shape of a use rules out the owner's member even without knowing the base's
    /// type: calling a case that has no payload, or a stored property that is not a closure.
    private func cannotBeTarget(_ token: TokenSyntax, context: RewriteContext) -> Bool {
        guard let reference = token.parent?.as(DeclReferenceExprSyntax.self) else { return false }
        let expression: ExprSyntax = reference.parent?.as(MemberAccessExprSyntax.self).map(ExprSyntax.init) ?? ExprSyntax(reference)
        guard let call = expression.parent?.as(FunctionCallExprSyntax.self), call.calledExpression.id == expression.id else { return false }
        let members = context.index.lookupMember(from, in: owner).filter { kind == nil || $0.memberKind == kind }
        guard !members.isEmpty else { return false }
        return members.allSatisfy { member in
            switch member.role {
            case .case: member.parameters.isEmpty
            case .property: member.type.map { !$0.is(FunctionTypeSyntax.self) && !$0.is(AttributedTypeSyntax.self) } ?? false
            default: false
            }
        }
    }

    private func handle(_ decision: Decision, _ token: TokenSyntax, file: SwiftFile, context: RewriteContext, what: String) {
        switch decision {
        case .other:
            return
        case .target:
            if reportOnly {
                context.reference(change, edited: false)
                context.attention(file, token, reportMessage ?? "uses `\(from)`")
                return
            }
            let edited = file.replace(token, with: token.renamed(to))
            context.reference(change, edited: edited)
        case .unknown:
            if cannotBeTarget(token, context: context) { return }
            context.reference(change, edited: false)
            context.attention(file, token, "cannot tell the type of \(what) in `.\(from)`; not changed (\(change.summary)\(context.syntaxSuffix))")
        }
    }
}
