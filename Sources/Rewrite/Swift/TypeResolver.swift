internal import SwiftSyntax

/// Works out, from the source alone, the type of an expression: annotations, `T(...)`,
/// `self`/`Self`, implicit members with a contextual type, closure parameters over collections of
/// known element type, `for`/`if let`/`guard let` bindings, optional chaining, members and
/// functions the repo declares, generic parameters constrained to a protocol, and key paths.
/// Whatever the source does not decide is `.unknown`; nothing is guessed.
final class TypeResolver {
    let index: SymbolIndex
    private var depth = 0

    init(index: SymbolIndex) {
        self.index = index
    }

    /// Methods of collections whose closure parameters are the collection's elements.
    static let elementClosureMethods: Set<String> = [
        "map", "compactMap", "flatMap", "filter", "forEach", "first", "last", "contains", "allSatisfy",
        "firstIndex", "lastIndex", "drop", "prefix", "removeAll", "min", "max", "sorted", "sort", "partition",
        "split", "count", "reduce", "sum", "lazy", "grouping", "uniqued", "chunked", "sortedByKey",
    ]

    // MARK: - Lexical context

    /// The qualified name of the type or extended type a node sits in, or nil at the top level.
    func enclosingType(of node: Syntax) -> String? {
        var current = node.parent
        while let candidate = current {
            switch candidate.kind {
            case .structDecl, .classDecl, .enumDecl, .protocolDecl, .actorDecl, .extensionDecl:
                return qualifiedName(ofTypeDeclaration: candidate)
            default:
                current = candidate.parent
            }
        }
        return nil
    }

    /// Qualified names of type declarations and extended types, by node: every reference inside
    /// a type asks for it.
    private var typeDeclarationNames: [SyntaxIdentifier: String?] = [:]

    private func qualifiedName(ofTypeDeclaration node: Syntax) -> String? {
        if let known = typeDeclarationNames[node.id] { return known }
        let name: String?
        if let extensionDecl = node.as(ExtensionDeclSyntax.self) {
            name = index.qualifiedName(of: extensionDecl.extendedType, context: nil)
                ?? SymbolIndex.components(of: extensionDecl.extendedType)?.joined(separator: ".")
        } else if let simple = typeDeclName(node) {
            name = enclosingType(of: node).map { $0 + "." + simple } ?? simple
        } else {
            name = nil
        }
        typeDeclarationNames[node.id] = .some(name)
        return name
    }

    private func typeDeclName(_ node: Syntax) -> String? {
        if let d = node.as(StructDeclSyntax.self) { return d.name.identifierText }
        if let d = node.as(ClassDeclSyntax.self) { return d.name.identifierText }
        if let d = node.as(EnumDeclSyntax.self) { return d.name.identifierText }
        if let d = node.as(ProtocolDeclSyntax.self) { return d.name.identifierText }
        if let d = node.as(ActorDeclSyntax.self) { return d.name.identifierText }
        return nil
    }

    // MARK: - Written types

    func typeRef(_ type: TypeSyntax) -> TypeRef {
        guard depth < 24 else { return .unknown }
        depth += 1
        defer { depth -= 1 }
        if let identifier = type.as(IdentifierTypeSyntax.self) {
            let name = identifier.name.identifierText
            let arguments = identifier.genericArgumentClause?.arguments.compactMap { Syntax($0.argument).as(TypeSyntax.self) } ?? []
            switch (name, arguments.count) {
            case ("Array", 1), ("ArraySlice", 1), ("ContiguousArray", 1): return .array(typeRef(arguments[0]))
            case ("Set", 1): return .set(typeRef(arguments[0]))
            case ("Dictionary", 2): return .dictionary(typeRef(arguments[0]), typeRef(arguments[1]))
            case ("Optional", 1): return .optional(typeRef(arguments[0]))
            case ("Self", _): return enclosingType(of: Syntax(type)).map(TypeRef.nominal) ?? .unknown
            default: break
            }
            if let generic = genericParameter(name, at: Syntax(type)) { return generic }
            if let associated = associatedType(name, at: Syntax(type)) { return associated }
        }
        if let member = type.as(MemberTypeSyntax.self), member.name.text == "Type" || member.name.text == "Protocol" {
            if case .nominal(let name) = typeRef(member.baseType) { return .meta(name) }
            return .unknown
        }
        if let metatype = type.as(MetatypeTypeSyntax.self) {
            if case .nominal(let name) = typeRef(metatype.baseType) { return .meta(name) }
            return .unknown
        }
        if SymbolIndex.components(of: type) != nil, !type.is(AttributedTypeSyntax.self), !type.is(SomeOrAnyTypeSyntax.self) {
            let context = enclosingType(of: Syntax(type))
            if let written = SymbolIndex.components(of: type), let resolved = index.resolveTypeName(written, context: context),
               let alias = index.aliasedType(resolved) {
                return typeRef(alias)
            }
            if let qualified = index.qualifiedName(of: type, context: context) {
                return .nominal(qualified)
            }
            return .nominal(SymbolIndex.components(of: type)!.joined(separator: "."))
        }
        if let array = type.as(ArrayTypeSyntax.self) { return .array(typeRef(array.element)) }
        if let dictionary = type.as(DictionaryTypeSyntax.self) { return .dictionary(typeRef(dictionary.key), typeRef(dictionary.value)) }
        if let optional = type.as(OptionalTypeSyntax.self) { return .optional(typeRef(optional.wrappedType)) }
        if let optional = type.as(ImplicitlyUnwrappedOptionalTypeSyntax.self) { return .optional(typeRef(optional.wrappedType)) }
        if let someOrAny = type.as(SomeOrAnyTypeSyntax.self) { return typeRef(someOrAny.constraint) }
        if let attributed = type.as(AttributedTypeSyntax.self) { return typeRef(attributed.baseType) }
        if let function = type.as(FunctionTypeSyntax.self) { return .function(typeRef(function.returnClause.type)) }
        if let tuple = type.as(TupleTypeSyntax.self) {
            if tuple.elements.count == 1, let only = tuple.elements.first, only.firstName == nil { return typeRef(only.type) }
            return .tuple(tuple.elements.map { TypeRef.Element(label: $0.firstName?.identifierText, type: typeRef($0.type)) })
        }
        return .unknown
    }

    /// A generic parameter named `name` in scope at `node`: its protocol or class constraint,
    /// or `.unknown` when unconstrained; nil when no generic parameter has that name.
    private func genericParameter(_ name: String, at node: Syntax) -> TypeRef? {
        var current: Syntax? = node
        while let candidate = current {
            let clause: GenericParameterClauseSyntax?
            let whereClause: GenericWhereClauseSyntax?
            if let d = candidate.as(FunctionDeclSyntax.self) { (clause, whereClause) = (d.genericParameterClause, d.genericWhereClause) }
            else if let d = candidate.as(StructDeclSyntax.self) { (clause, whereClause) = (d.genericParameterClause, d.genericWhereClause) }
            else if let d = candidate.as(ClassDeclSyntax.self) { (clause, whereClause) = (d.genericParameterClause, d.genericWhereClause) }
            else if let d = candidate.as(EnumDeclSyntax.self) { (clause, whereClause) = (d.genericParameterClause, d.genericWhereClause) }
            else if let d = candidate.as(InitializerDeclSyntax.self) { (clause, whereClause) = (d.genericParameterClause, d.genericWhereClause) }
            else if let d = candidate.as(SubscriptDeclSyntax.self) { (clause, whereClause) = (d.genericParameterClause, d.genericWhereClause) }
            else if let d = candidate.as(ActorDeclSyntax.self) { (clause, whereClause) = (d.genericParameterClause, d.genericWhereClause) }
            else if let extensionDecl = candidate.as(ExtensionDeclSyntax.self) {
                // An extension sees the generic parameters of the type it extends.
                let extended = index.qualifiedName(of: extensionDecl.extendedType, context: nil)
                for declaration in extended.flatMap({ index.type(named: $0)?.declarations }) ?? [] {
                    if let parent = declaration.parent, let found = genericParameter(name, at: parent) { return found }
                }
                return nil
            }
            else { (clause, whereClause) = (nil, nil) }
            if let parameter = clause?.parameters.first(where: { $0.name.identifierText == name }) {
                var constraints: [TypeSyntax] = parameter.inheritedType.map { [$0] } ?? []
                constraints += whereConstraints(name, whereClause)
                return constraints.isEmpty ? .unknown : constraint(constraints)
            }
            current = candidate.parent
        }
        return nil
    }

    /// An associated type named `name` of the protocol (or a protocol the type conforms to)
    /// around `node`: its constraint, for member lookup.
    private func associatedType(_ name: String, at node: Syntax) -> TypeRef? {
        guard let context = enclosingType(of: node), index.resolveTypeName([name], context: context) == nil else { return nil }
        guard let member = index.lookupMember(name, in: context).first(where: { $0.role == .type }),
              let associated = member.node.as(AssociatedTypeDeclSyntax.self) else { return nil }
        var constraints = associated.inheritanceClause?.inheritedTypes.map(\.type) ?? []
        constraints += whereConstraints(name, associated.genericWhereClause)
        // `extension Graph where E: WeightedEdgeProtocol`, `func f() where E: P`.
        var current: Syntax? = node
        while let candidate = current {
            if let extensionDecl = candidate.as(ExtensionDeclSyntax.self) { constraints += whereConstraints(name, extensionDecl.genericWhereClause) }
            if let function = candidate.as(FunctionDeclSyntax.self) { constraints += whereConstraints(name, function.genericWhereClause) }
            current = candidate.parent
        }
        return constraints.isEmpty ? .unknown : constraint(constraints)
    }

    /// Conformance requirements on `name` in a where clause (`where E: WeightedEdgeProtocol`).
    private func whereConstraints(_ name: String, _ whereClause: GenericWhereClauseSyntax?) -> [TypeSyntax] {
        (whereClause?.requirements ?? []).compactMap { requirement in
            if case .conformanceRequirement(let conformance) = requirement.requirement, conformance.leftType.trimmedDescription == name {
                return conformance.rightType
            }
            return nil
        }
    }

    /// Several constraints (`A & B`, or a parameter's constraint plus where clauses) as one
    /// nominal whose members are looked up in each: `A & B`.
    private func constraint(_ types: [TypeSyntax]) -> TypeRef {
        var names: [String] = []
        for type in types {
            let parts = type.as(CompositionTypeSyntax.self).map { $0.elements.map(\.type) } ?? [type]
            for part in parts {
                if let owner = typeRef(part).memberOwner, !names.contains(owner) { names.append(owner) }
            }
        }
        return names.isEmpty ? .unknown : .nominal(names.joined(separator: " & "))
    }

    // MARK: - Members

    func type(of member: SymbolIndex.Member) -> TypeRef {
        guard depth < 24 else { return .unknown }
        depth += 1
        defer { depth -= 1 }
        switch member.role {
        case .property:
            if let type = member.type { return typeRef(type) }
            if let initializer = member.initializer { return typeOf(initializer) }
            return .unknown
        case .method:
            return .function(member.type.map(typeRef) ?? .nominal("Void"))
        case .case:
            guard let owner = member.owner else { return .unknown }
            return member.parameters.isEmpty ? .nominal(owner) : .function(.nominal(owner))
        case .initializer:
            return member.owner.map { .function(.nominal($0)) } ?? .unknown
        case .subscript:
            return member.type.map(typeRef) ?? .unknown
        case .type:
            guard let owner = member.owner else { return .unknown }
            return .meta(owner + "." + member.name)
        }
    }

    /// The type of `.name` on a value of type `base`; `.unknown` when the source does not say.
    /// A protocol member's associated types are replaced by what the concrete base type uses.
    func memberType(_ name: String, on base: TypeRef) -> TypeRef {
        let result = declaredMemberType(name, on: base)
        guard let owner = base.memberOwner, index.type(named: owner)?.kind != .associatedType,
              index.type(named: owner)?.kind != .protocol else { return result }
        return substituteAssociatedTypes(result, for: owner)
    }

    private func substituteAssociatedTypes(_ type: TypeRef, for owner: String) -> TypeRef {
        switch type {
        case .nominal(let name):
            guard let info = index.type(named: name), info.kind == .associatedType else { return type }
            return associatedTypeWitness(name, in: owner) ?? type
        case .array(let element): return .array(substituteAssociatedTypes(element, for: owner))
        case .set(let element): return .set(substituteAssociatedTypes(element, for: owner))
        case .optional(let wrapped): return .optional(substituteAssociatedTypes(wrapped, for: owner))
        case .dictionary(let key, let value):
            return .dictionary(substituteAssociatedTypes(key, for: owner), substituteAssociatedTypes(value, for: owner))
        case .function(let result): return .function(substituteAssociatedTypes(result, for: owner))
        default: return type
        }
    }

    /// What a concrete type uses for a protocol's associated type `P.A`: its `typealias A`, or
    /// what it declares for a protocol property whose type is built from `A` (`var edges: [[E]]`).
    func associatedTypeWitness(_ associated: String, in owner: String) -> TypeRef? {
        let simple = String(associated.split(separator: ".").last ?? "")
        let protocolName = associated.split(separator: ".").dropLast().joined(separator: ".")
        if let alias = index.aliasedType(owner + "." + simple) { return typeRef(alias) }
        guard let requirements = index.type(named: protocolName) else { return nil }
        for (name, members) in requirements.members {
            guard let requirement = members.first(where: { $0.role == .property }),
                  let witness = index.ownMembers(name, of: owner).first(where: { $0.role == .property }) else { continue }
            if let found = unify(type(of: requirement), type(of: witness), associated) { return found }
        }
        return nil
    }

    private func unify(_ pattern: TypeRef, _ concrete: TypeRef, _ associated: String) -> TypeRef? {
        switch (pattern, concrete) {
        case (.nominal(let name), _) where name == associated: return concrete
        case (.array(let a), .array(let b)), (.set(let a), .set(let b)), (.optional(let a), .optional(let b)):
            return unify(a, b, associated)
        case (.dictionary(let k1, let v1), .dictionary(let k2, let v2)):
            return unify(k1, k2, associated) ?? unify(v1, v2, associated)
        default: return nil
        }
    }

    /// Conformance requirements the code around `node` adds to an associated type `P.A`
    /// (`extension Graph where E: WeightedEdgeProtocol`), as extra constraints.
    func useSiteConstraints(_ associated: String, at node: Syntax) -> [String] {
        let simple = String(associated.split(separator: ".").last ?? "")
        var names: [String] = []
        var current: Syntax? = node
        while let candidate = current {
            var clause: GenericWhereClauseSyntax? = nil
            if let extensionDecl = candidate.as(ExtensionDeclSyntax.self) { clause = extensionDecl.genericWhereClause }
            if let function = candidate.as(FunctionDeclSyntax.self) { clause = function.genericWhereClause }
            for requirement in clause?.requirements ?? [] {
                guard case .conformanceRequirement(let conformance) = requirement.requirement,
                      [simple, "Self." + simple].contains(conformance.leftType.trimmedDescription) else { continue }
                if let owner = constraint([conformance.rightType]).memberOwner { names.append(owner) }
            }
            current = candidate.parent
        }
        return names
    }

    private func declaredMemberType(_ name: String, on base: TypeRef) -> TypeRef {
        switch base.unwrapped {
        case .meta(let owner):
            if name == "self" { return .meta(owner) }
            if name == "init" { return .function(.nominal(owner)) }
            let members = index.lookupMember(name, in: owner)
            if !members.isEmpty {
                // Several overloads with different results: the source alone does not say which.
                guard let member = members.onlyOne ?? uncalled(members) ?? sameResult(members) else { return .unknown }
                return type(of: member)
            }
            if index.type(named: owner)?.declared != true, name.first?.isUppercase == true { return .meta(owner + "." + name) }
            return .unknown
        case .nominal(let owner):
            let members = index.lookupMember(name, in: owner).filter { $0.role != .initializer }
            if !members.isEmpty {
                guard let member = members.onlyOne ?? uncalled(members) ?? sameResult(members) else { return .unknown }
                return type(of: member)
            }
            switch name {
            case "count": return .nominal("Int")
            case "isEmpty": return .nominal("Bool")
            case "description": return .nominal("String")
            default: return .unknown
            }
        case .array(let element), .set(let element):
            switch name {
            case "first", "last": return .optional(element)
            case "count": return .nominal("Int")
            case "isEmpty": return .nominal("Bool")
            case "lazy": return base.unwrapped
            case "indices": return .array(.nominal("Int"))
            default: return .unknown
            }
        case .dictionary(let key, let value):
            switch name {
            case "keys": return .array(key)
            case "values": return .array(value)
            case "count": return .nominal("Int")
            case "isEmpty": return .nominal("Bool")
            case "first": return .optional(base.element)
            default: return .unknown
            }
        case .tuple(let elements):
            if let element = elements.first(where: { $0.label == name }) { return element.type }
            if let position = Int(name), position < elements.count { return elements[position].type }
            return .unknown
        default:
            return .unknown
        }
    }

    // MARK: - Expressions

    func typeOf(_ expression: ExprSyntax) -> TypeRef {
        guard depth < 24 else { return .unknown }
        depth += 1
        defer { depth -= 1 }
        return computeType(expression)
    }

    private func computeType(_ expression: ExprSyntax) -> TypeRef {
        if let reference = expression.as(DeclReferenceExprSyntax.self) { return typeOf(reference: reference) }
        if expression.is(SuperExprSyntax.self) {
            // The superclass: the first inherited type the repo declares as a class.
            guard let enclosing = enclosingType(of: Syntax(expression)) else { return .unknown }
            if let superclass = index.supertypes(of: enclosing).first(where: { index.type(named: $0)?.kind == .class }) {
                return .nominal(superclass)
            }
            return .unknown
        }
        if let access = expression.as(MemberAccessExprSyntax.self) {
            guard let base = access.base else { return contextualType(of: expression) }
            // `Module.Name`: the package's own module, naming its top-level declaration.
            if let module = base.as(DeclReferenceExprSyntax.self), index.isModuleName(module.baseName.identifierText),
               bindingType(module.baseName.identifierText, at: Syntax(module)) == nil {
                let name = access.declName.baseName.identifierText
                if let qualified = index.resolveTypeName([name], context: nil) { return .meta(qualified) }
                if let global = index.globals(named: name).onlyOne { return type(of: global) }
                return .unknown
            }
            return memberType(access.declName.baseName.identifierText, on: typeOf(base))
        }
        if let call = expression.as(FunctionCallExprSyntax.self) { return typeOf(call: call) }
        if let subscriptCall = expression.as(SubscriptCallExprSyntax.self) {
            let base = typeOf(subscriptCall.calledExpression).unwrapped
            switch base {
            case .array(let element): return element
            case .dictionary(_, let value): return .optional(value)
            case .nominal(let owner):
                if let member = index.lookupMember("subscript", in: owner).first { return type(of: member) }
                return .unknown
            default: return .unknown
            }
        }
        if let chaining = expression.as(OptionalChainingExprSyntax.self) { return typeOf(chaining.expression).unwrapped }
        if let unwrap = expression.as(ForceUnwrapExprSyntax.self) { return typeOf(unwrap.expression).unwrapped }
        if let tryExpression = expression.as(TryExprSyntax.self) {
            let inner = typeOf(tryExpression.expression)
            return tryExpression.questionOrExclamationMark?.tokenKind == .postfixQuestionMark ? .optional(inner) : inner
        }
        if let awaitExpression = expression.as(AwaitExprSyntax.self) { return typeOf(awaitExpression.expression) }
        if let tuple = expression.as(TupleExprSyntax.self) {
            if tuple.elements.count == 1, let only = tuple.elements.first, only.label == nil { return typeOf(only.expression) }
            return .tuple(tuple.elements.map { TypeRef.Element(label: $0.label?.identifierText, type: typeOf($0.expression)) })
        }
        if expression.is(StringLiteralExprSyntax.self) { return .nominal("String") }
        if expression.is(IntegerLiteralExprSyntax.self) { return .nominal("Int") }
        if expression.is(FloatLiteralExprSyntax.self) { return .nominal("Double") }
        if expression.is(BooleanLiteralExprSyntax.self) { return .nominal("Bool") }
        if let array = expression.as(ArrayExprSyntax.self) {
            if let first = array.elements.first { return .array(typeOf(first.expression)) }
            return contextualType(of: expression)
        }
        if let asExpression = expression.as(AsExprSyntax.self) {
            let target = typeRef(asExpression.type)
            return asExpression.questionOrExclamationMark?.tokenKind == .postfixQuestionMark ? .optional(target) : target
        }
        if let sequence = expression.as(SequenceExprSyntax.self) { return typeOf(sequence: sequence) }
        if let typeExpression = expression.as(TypeExprSyntax.self) {
            if case .nominal(let name) = typeRef(typeExpression.type) { return .meta(name) }
            return .unknown
        }
        if let specialization = expression.as(GenericSpecializationExprSyntax.self) { return typeOf(specialization.expression) }
        if let closure = expression.as(ClosureExprSyntax.self) {
            if let output = closure.signature?.returnClause?.type { return .function(typeRef(output)) }
            return .function(.unknown)
        }
        if let postfix = expression.as(PostfixOperatorExprSyntax.self) { return typeOf(postfix.expression) }
        if let prefix = expression.as(PrefixOperatorExprSyntax.self) {
            return prefix.operator.text == "!" ? .nominal("Bool") : typeOf(prefix.expression)
        }
        return .unknown
    }

    private func typeOf(sequence: SequenceExprSyntax) -> TypeRef {
        let elements = Array(sequence.elements)
        for (position, element) in elements.enumerated() where element.is(UnresolvedAsExprSyntax.self) {
            if position + 1 < elements.count, let type = elements[position + 1].as(TypeExprSyntax.self) {
                let target = typeRef(type.type)
                let optional = element.as(UnresolvedAsExprSyntax.self)?.questionOrExclamationMark?.tokenKind == .postfixQuestionMark
                if position == elements.count - 2 { return optional ? .optional(target) : target }
            }
        }
        for element in elements {
            if let ternary = element.as(UnresolvedTernaryExprSyntax.self) { return typeOf(ternary.thenExpression) }
        }
        let operators = elements.compactMap { $0.as(BinaryOperatorExprSyntax.self)?.operator.text }
        if operators.contains(where: { ["==", "!=", "<", ">", "<=", ">=", "&&", "||", "===", "!==", "~="].contains($0) }) {
            return .nominal("Bool")
        }
        if operators == ["??"], elements.count == 3 {
            let left = typeOf(elements[0]).unwrapped
            return left == .unknown ? typeOf(elements[2]) : left
        }
        if elements.contains(where: { $0.is(AssignmentExprSyntax.self) }) { return .nominal("Void") }
        if let first = elements.first, ["+", "-", "*", "/", "%"].contains(operators.first ?? "") { return typeOf(first) }
        return .unknown
    }

    private func typeOf(reference: DeclReferenceExprSyntax) -> TypeRef {
        let name = reference.baseName.identifierText
        let node = Syntax(reference)
        switch reference.baseName.tokenKind {
        case .keyword(.self):
            return enclosingType(of: node).map { isStaticContext(node) ? .meta($0) : .nominal($0) } ?? .unknown
        case .keyword(.Self):
            return enclosingType(of: node).map(TypeRef.meta) ?? .unknown
        case .dollarIdentifier:
            guard let closure = node.ancestor(ClosureExprSyntax.self), let position = Int(name.dropFirst()) else { return .unknown }
            return closureParameterType(closure, position: position)
        default: break
        }
        if let local = bindingType(name, at: node) { return local }
        let context = enclosingType(of: node)
        if let context, let member = index.lookupMember(name, in: context).first, member.role != .initializer {
            return member.role == .type ? type(of: member) : memberType(name, on: .nominal(context))
        }
        if name.first?.isUppercase == true || name.first == "_" {
            // A generic parameter used as a value (`T.kind`): its constraint's static members.
            if let generic = genericParameter(name, at: node) ?? associatedType(name, at: node) {
                if case .nominal(let constraint) = generic { return .meta(constraint) }
                return .unknown
            }
            if let qualified = index.resolveTypeName([name], context: context) {
                if let alias = index.aliasedType(qualified) {
                    if case .nominal(let target) = typeRef(alias) { return .meta(target) }
                }
                return .meta(qualified)
            }
            if let global = index.globals(named: name).first { return type(of: global) }
            return .meta(name)
        }
        if let global = index.globals(named: name).first { return type(of: global) }
        return .unknown
    }

    func isStaticContext(_ node: Syntax) -> Bool {
        var current = node.parent
        while let candidate = current {
            if let modifiers = candidate.asProtocol(WithModifiersSyntax.self)?.modifiers,
               candidate.is(FunctionDeclSyntax.self) || candidate.is(VariableDeclSyntax.self) || candidate.is(SubscriptDeclSyntax.self) {
                return modifiers.contains { $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class) }
            }
            if candidate.is(MemberBlockSyntax.self) { return false }
            current = candidate.parent
        }
        return false
    }

    private func typeOf(call: FunctionCallExprSyntax) -> TypeRef {
        let callee = call.calledExpression
        if let array = callee.as(ArrayExprSyntax.self), array.elements.count == 1, let element = array.elements.first {
            if case .meta(let name) = typeOf(element.expression) { return .array(.nominal(name)) }
            return .unknown
        }
        if let specialization = callee.as(GenericSpecializationExprSyntax.self),
           let name = specialization.expression.as(DeclReferenceExprSyntax.self)?.baseName.text {
            let arguments = specialization.genericArgumentClause.arguments.compactMap { Syntax($0.argument).as(TypeSyntax.self) }.map(typeRef)
            switch (name, arguments.count) {
            case ("Array", 1): return .array(arguments[0])
            case ("Set", 1): return .set(arguments[0])
            case ("Dictionary", 2): return .dictionary(arguments[0], arguments[1])
            default: break
            }
        }
        if let access = callee.as(MemberAccessExprSyntax.self), let base = access.base {
            let method = access.declName.baseName.identifierText
            let baseType = typeOf(base)
            if method == "container" || method == "nestedContainer",
               let keys = call.arguments.first(where: { $0.label?.text == "keyedBy" }),
               case .meta(let name) = typeOf(keys.expression) {
                return .codingContainer(name)
            }
            if baseType.isCollection { return collectionResult(method, on: baseType, call: call) }
            if case .optional(let wrapped) = baseType, method == "map" || method == "flatMap" {
                _ = wrapped
                return .optional(closureResult(call).unwrapped)
            }
        }
        switch typeOf(callee) {
        case .meta(let name): return .nominal(name)
        case .function(let result): return result
        default: return .unknown
        }
    }

    private func collectionResult(_ method: String, on base: TypeRef, call: FunctionCallExprSyntax) -> TypeRef {
        let element = base.element
        let collection = base.unwrapped
        switch method {
        case "filter", "sorted", "shuffled", "dropFirst", "dropLast", "prefix", "suffix", "reversed":
            if case .set = collection, method == "filter" { return collection }
            if case .dictionary = collection, method == "filter" { return collection }
            return .array(element)
        case "map": return .array(closureResult(call, element: element))
        case "compactMap": return .array(closureResult(call, element: element).unwrapped)
        case "flatMap":
            let result = closureResult(call, element: element)
            return .array(result.isCollection ? result.element : result.unwrapped)
        case "first", "last", "min", "max", "randomElement", "popLast", "popFirst": return .optional(element)
        case "removeFirst", "removeLast", "remove": return element
        case "contains", "allSatisfy", "isEmpty": return .nominal("Bool")
        case "count": return .nominal("Int")
        case "firstIndex", "lastIndex": return .optional(.nominal("Int"))
        case "enumerated":
            return .array(.tuple([TypeRef.Element(label: "offset", type: .nominal("Int")), TypeRef.Element(label: "element", type: element)]))
        case "reduce": return call.arguments.first.map { typeOf($0.expression) } ?? .unknown
        case "mapValues", "compactMapValues":
            if case .dictionary(let key, _) = collection { return .dictionary(key, closureResult(call, element: .unknown)) }
            return .unknown
        default: return .unknown
        }
    }

    /// The type a transforming closure (or key path) argument of a call produces.
    private func closureResult(_ call: FunctionCallExprSyntax, element: TypeRef = .unknown) -> TypeRef {
        if let keyPath = call.arguments.first?.expression.as(KeyPathExprSyntax.self) {
            return keyPathValueType(keyPath, root: element)
        }
        let closure = call.trailingClosure ?? call.arguments.first?.expression.as(ClosureExprSyntax.self)
        guard let closure else { return .unknown }
        if let output = closure.signature?.returnClause?.type { return typeRef(output) }
        if closure.statements.count == 1, let expression = closure.statements.first?.item.as(ExprSyntax.self) {
            return typeOf(expression)
        }
        // The closure's own `return`s (not those of closures or functions inside it): their
        // values' types, when they all agree.
        let returns = ClosureReturns(viewMode: .sourceAccurate)
        returns.walk(closure.statements)
        var result: TypeRef?
        for statement in returns.found {
            guard let value = statement.expression else { return .unknown }
            let type = typeOf(value)
            guard !type.isUnknown, result == nil || result == type else { return .unknown }
            result = type
        }
        return result ?? .unknown
    }

    func keyPathValueType(_ keyPath: KeyPathExprSyntax, root: TypeRef) -> TypeRef {
        var current = keyPath.root.map(typeRef) ?? root
        for component in keyPath.components {
            switch component.component {
            case .property(let property): current = memberType(property.declName.baseName.identifierText, on: current)
            case .optional: current = current.unwrapped
            default: return .unknown
            }
        }
        return current
    }

    /// The root type of a key path: written (`\T.name`), or the element type of the collection
    /// whose method receives it, or the root of a `KeyPath<Root, _>` parameter.
    func keyPathRoot(_ keyPath: KeyPathExprSyntax) -> TypeRef {
        if let root = keyPath.root { return typeRef(root) }
        guard let argument = keyPath.parent?.as(LabeledExprSyntax.self),
              let call = argument.parent?.parent?.as(FunctionCallExprSyntax.self) else {
            let contextual = contextualType(of: ExprSyntax(keyPath))
            if case .tuple(let parts) = contextual, let root = parts.first { return root.type }
            return .unknown
        }
        if let access = call.calledExpression.as(MemberAccessExprSyntax.self), let base = access.base {
            let baseType = typeOf(base)
            if baseType.isCollection { return baseType.element }
        }
        if let parameter = parameterType(forArgument: argument, in: call), let root = keyPathRootOf(parameterType: parameter) {
            return root
        }
        return .unknown
    }

    private func keyPathRootOf(parameterType: TypeSyntax) -> TypeRef? {
        guard let identifier = parameterType.as(IdentifierTypeSyntax.self),
              ["KeyPath", "WritableKeyPath", "ReferenceWritableKeyPath", "PartialKeyPath"].contains(identifier.name.text),
              let first = identifier.genericArgumentClause?.arguments.first,
              let type = Syntax(first.argument).as(TypeSyntax.self) else { return nil }
        return typeRef(type)
    }

    // MARK: - Closures

    /// The type of a closure's parameter at `position`, from its written type or from the
    /// collection method (or repo function) that receives the closure.
    func closureParameterType(_ closure: ClosureExprSyntax, position: Int) -> TypeRef {
        if case .parameterClause(let clause)? = closure.signature?.parameterClause,
           position < clause.parameters.count, let written = Array(clause.parameters)[position].type {
            return typeRef(written)
        }
        let call: FunctionCallExprSyntax?
        var argument: LabeledExprSyntax? = nil
        if let parent = closure.parent?.as(FunctionCallExprSyntax.self), parent.trailingClosure?.id == closure.id {
            call = parent
        } else if let labeled = closure.parent?.as(LabeledExprSyntax.self) {
            argument = labeled
            call = labeled.parent?.parent?.as(FunctionCallExprSyntax.self)
        } else {
            call = nil
        }
        guard let call, let access = call.calledExpression.as(MemberAccessExprSyntax.self), let base = access.base else {
            return .unknown
        }
        let method = access.declName.baseName.identifierText
        let baseType = typeOf(base)
        if baseType.isCollection {
            let element = baseType.element
            if method == "reduce" {
                if position == 1 { return element }
                return call.arguments.first.map { typeOf($0.expression) } ?? .unknown
            }
            if method == "mapValues" || method == "compactMapValues", case .dictionary(_, let value) = baseType.unwrapped { return value }
            return TypeResolver.elementClosureMethods.contains(method) ? element : .unknown
        }
        if case .optional(let wrapped) = baseType, method == "map" || method == "flatMap" { return wrapped }
        // A repo method taking a closure: the closure parameter's declared type.
        let parameter: TypeSyntax? = argument.flatMap { parameterType(forArgument: $0, in: call) }
            ?? trailingClosureParameterType(in: call)
        if let function = parameter.flatMap(functionType), position < function.parameters.count {
            return typeRef(Array(function.parameters)[position].type)
        }
        return .unknown
    }

    private func functionType(_ type: TypeSyntax) -> FunctionTypeSyntax? {
        if let function = type.as(FunctionTypeSyntax.self) { return function }
        if let attributed = type.as(AttributedTypeSyntax.self) { return functionType(attributed.baseType) }
        if let tuple = type.as(TupleTypeSyntax.self), tuple.elements.count == 1, let only = tuple.elements.first { return functionType(only.type) }
        if let optional = type.as(OptionalTypeSyntax.self) { return functionType(optional.wrappedType) }
        return nil
    }

    /// The repo member a call invokes (method, case constructor or initializer), matched by
    /// argument labels when there are several.
    func callee(of call: FunctionCallExprSyntax) -> SymbolIndex.Member? {
        let labels = call.arguments.map { $0.label?.identifierText }
        var candidates: [SymbolIndex.Member] = []
        if let access = call.calledExpression.as(MemberAccessExprSyntax.self) {
            let name = access.declName.baseName.identifierText
            let owner: TypeRef = access.base.map(typeOf) ?? contextualType(of: ExprSyntax(call))
            switch owner.unwrapped {
            case .meta(let type), .nominal(let type):
                candidates = index.lookupMember(name == "init" ? "init" : name, in: type)
            default: break
            }
        } else if case .meta(let type) = typeOf(call.calledExpression) {
            candidates = index.lookupMember("init", in: type).filter { $0.role == .initializer }
        } else if let reference = call.calledExpression.as(DeclReferenceExprSyntax.self) {
            let name = reference.baseName.identifierText
            if let context = enclosingType(of: Syntax(call)) { candidates = index.lookupMember(name, in: context) }
            if candidates.isEmpty { candidates = index.globals(named: name) }
        }
        let matching = candidates.filter { member in
            let declared = member.parameters.map(\.label)
            return declared.count >= labels.count && labels.allSatisfy { label in declared.contains(label) }
        }
        // Of several overloads the labels allow, none is chosen unless they agree on their result.
        return matching.onlyOne ?? sameResult(matching) ?? (candidates.count == 1 ? candidates.first : nil)
    }

    /// Of a property (or case) and methods of one name, the one a use without a call means.
    private func uncalled(_ members: [SymbolIndex.Member]) -> SymbolIndex.Member? {
        members.filter { $0.role == .property || $0.role == .case }.onlyOne
    }

    /// The first of several members when they all give the same result type (as written).
    private func sameResult(_ members: [SymbolIndex.Member]) -> SymbolIndex.Member? {
        guard let first = members.first else { return nil }
        let written = first.type?.trimmedDescription
        guard written != nil, members.allSatisfy({ $0.type?.trimmedDescription == written && $0.role == first.role }) else { return nil }
        return first
    }

    private func parameterType(forArgument argument: LabeledExprSyntax, in call: FunctionCallExprSyntax) -> TypeSyntax? {
        guard let member = callee(of: call) else { return nil }
        let label = argument.label?.identifierText
        let position = call.arguments.firstIndex(where: { $0.id == argument.id }).map { call.arguments.distance(from: call.arguments.startIndex, to: $0) } ?? 0
        if let labeled = member.parameters.first(where: { $0.label == label && label != nil }) { return labeled.type }
        if position < member.parameters.count, member.parameters[position].label == label { return member.parameters[position].type }
        return member.parameters.first(where: { $0.label == label })?.type
    }

    private func trailingClosureParameterType(in call: FunctionCallExprSyntax) -> TypeSyntax? {
        guard let member = callee(of: call) else { return nil }
        return member.parameters.last?.type
    }

    // MARK: - Local bindings

    /// The type of a local binding (variable, parameter, closure parameter, `for`, `if let`,
    /// `guard let`, `case let`) named `name` visible at `node`; nil when no local binding has
    /// that name (it may then be a member of the enclosing type or a global).
    func bindingType(_ name: String, at node: Syntax) -> TypeRef? {
        // A file where no token of that name may introduce a binding has no such local (the
        // implicit accessor and catch names excepted); most references are decided here.
        if !TypeResolver.implicitBindings.contains(name), let file = index.file(containing: node), !file.mayBind(name) { return nil }
        var child = node
        while let parent = child.parent {
            if parent.is(MemberBlockSyntax.self) || parent.is(MemberBlockItemListSyntax.self) { return nil }
            if let items = parent.as(CodeBlockItemListSyntax.self) {
                let visible = items.prefix { $0.id != child.id }
                for item in visible.reversed() {
                    if let found = declaredType(name, in: item.item) { return found }
                }
            } else if let closure = parent.as(ClosureExprSyntax.self), child.id != closure.signature.map({ Syntax($0).id }) {
                if let position = closureParameterNames(closure).firstIndex(of: name) {
                    return closureParameterType(closure, position: position)
                }
            } else if let signatureOwner = functionLike(parent), child.is(CodeBlockSyntax.self) || child.is(AccessorBlockSyntax.self) {
                if let parameter = signatureOwner.first(where: { ($0.secondName ?? $0.firstName).identifierText == name }) {
                    let type = typeRef(parameter.type)
                    return parameter.ellipsis != nil ? .array(type) : type
                }
            } else if let accessor = parent.as(AccessorDeclSyntax.self), child.is(CodeBlockSyntax.self) {
                let implicit = accessor.parameters?.name.identifierText
                    ?? (accessor.accessorSpecifier.tokenKind == .keyword(.didSet) ? "oldValue" : "newValue")
                if name == implicit, let binding = accessor.ancestor(PatternBindingSyntax.self) {
                    return binding.typeAnnotation.map { typeRef($0.type) } ?? .unknown
                }
            } else if let conditions = parent.as(ConditionElementListSyntax.self) {
                let visible = conditions.prefix { $0.id != child.id }
                for condition in visible.reversed() {
                    if let found = conditionBinding(name, condition, at: parent) { return found }
                }
            } else if let ifExpression = parent.as(IfExprSyntax.self), child.id == Syntax(ifExpression.body).id {
                for condition in ifExpression.conditions.reversed() {
                    if let found = conditionBinding(name, condition, at: parent) { return found }
                }
            } else if let whileStatement = parent.as(WhileStmtSyntax.self), child.id == Syntax(whileStatement.body).id {
                for condition in whileStatement.conditions.reversed() {
                    if let found = conditionBinding(name, condition, at: parent) { return found }
                }
            } else if let forStatement = parent.as(ForStmtSyntax.self), child.id != Syntax(forStatement.sequence).id,
                      child.id != Syntax(forStatement.pattern).id {
                if let found = patternBinding(name, forStatement.pattern, type: typeOf(forStatement.sequence).element) { return found }
            } else if let switchCase = parent.as(SwitchCaseSyntax.self), child.is(CodeBlockItemListSyntax.self) {
                if let found = switchCaseBinding(name, switchCase) { return found }
            } else if let catchClause = parent.as(CatchClauseSyntax.self), child.is(CodeBlockSyntax.self) {
                if catchClause.catchItems.isEmpty, name == "error" { return .nominal("Error") }
                if catchClause.catchItems.tokens(viewMode: .sourceAccurate).contains(where: { $0.identifierText == name }) { return .unknown }
            } else if parent.is(StructDeclSyntax.self) || parent.is(ClassDeclSyntax.self) || parent.is(EnumDeclSyntax.self)
                        || parent.is(ExtensionDeclSyntax.self) || parent.is(ProtocolDeclSyntax.self) || parent.is(ActorDeclSyntax.self) {
                return nil
            }
            child = parent
        }
        return nil
    }

    /// Names accessors and catch clauses bind without writing them.
    static let implicitBindings: Set<String> = ["newValue", "oldValue", "error"]

    private func functionLike(_ node: Syntax) -> FunctionParameterListSyntax? {
        if let function = node.as(FunctionDeclSyntax.self) { return function.signature.parameterClause.parameters }
        if let initializer = node.as(InitializerDeclSyntax.self) { return initializer.signature.parameterClause.parameters }
        if let subscriptDecl = node.as(SubscriptDeclSyntax.self) { return subscriptDecl.parameterClause.parameters }
        return nil
    }

    func closureParameterNames(_ closure: ClosureExprSyntax) -> [String] {
        switch closure.signature?.parameterClause {
        case .simpleInput(let list)?: return list.map { $0.name.identifierText }
        case .parameterClause(let clause)?: return clause.parameters.map { ($0.secondName ?? $0.firstName).identifierText }
        default: return []
        }
    }

    private func declaredType(_ name: String, in item: CodeBlockItemSyntax.Item) -> TypeRef? {
        if let variable = item.as(VariableDeclSyntax.self) {
            for binding in variable.bindings {
                if let identifier = binding.pattern.as(IdentifierPatternSyntax.self), identifier.identifier.identifierText == name {
                    if let annotation = binding.typeAnnotation { return typeRef(annotation.type) }
                    if let value = binding.initializer?.value { return typeOf(value) }
                    return .unknown
                }
                if binding.pattern.tokens(viewMode: .sourceAccurate).contains(where: { $0.identifierText == name }) { return .unknown }
            }
        } else if let guardStatement = item.as(GuardStmtSyntax.self) {
            for condition in guardStatement.conditions.reversed() {
                if let found = conditionBinding(name, condition, at: Syntax(guardStatement)) { return found }
            }
        } else if let function = item.as(FunctionDeclSyntax.self), function.name.identifierText == name {
            return .function(function.signature.returnClause.map { typeRef($0.type) } ?? .nominal("Void"))
        } else if let expression = item.as(ExprSyntax.self), let ifExpression = expression.as(IfExprSyntax.self) {
            _ = ifExpression  // bindings of an `if` are not visible after it
        }
        return nil
    }

    private func conditionBinding(_ name: String, _ condition: ConditionElementSyntax, at node: Syntax) -> TypeRef? {
        switch condition.condition {
        case .optionalBinding(let binding):
            guard let identifier = binding.pattern.as(IdentifierPatternSyntax.self), identifier.identifier.identifierText == name else {
                return nil
            }
            if let annotation = binding.typeAnnotation { return typeRef(annotation.type) }
            if let value = binding.initializer?.value { return typeOf(value).unwrapped }
            // `if let name`: the outer binding of the same name, unwrapped.
            if let outer = bindingType(name, at: node) { return outer.unwrapped }
            if let context = enclosingType(of: node), let member = index.lookupMember(name, in: context).first {
                return type(of: member).unwrapped
            }
            return .unknown
        case .matchingPattern(let matching):
            // `if case .play(let event) = value`
            return casePatternBinding(name, matching.pattern, subject: typeOf(matching.initializer.value))
        default:
            return nil
        }
    }

    /// The type `name` gets in a `switch` case's body from the case's patterns.
    private func switchCaseBinding(_ name: String, _ switchCase: SwitchCaseSyntax) -> TypeRef? {
        guard case .case(let label) = switchCase.label else { return nil }
        let subject = switchCase.ancestor(SwitchExprSyntax.self).map { typeOf($0.subject) } ?? .unknown
        var found: TypeRef?
        for item in label.caseItems {
            guard let type = casePatternBinding(name, item.pattern, subject: subject) else { continue }
            // Every pattern of the case binds it; they must agree.
            if let earlier = found, earlier != type { return .unknown }
            found = type
        }
        return found
    }

    /// The type `name` gets from a pattern matched against a value of type `subject`: the
    /// associated values of enum cases the repo declares (`.play(let event)`, `let .play(event)`,
    /// `.play(event: let e)`, `Kind.play(let e)`), `.some(let x)` of an optional, or the whole
    /// value (`case let value`). Bound but undecided is `.unknown`; not bound here is nil.
    private func casePatternBinding(_ name: String, _ pattern: PatternSyntax, subject: TypeRef, bound: Bool = false) -> TypeRef? {
        if let binding = pattern.as(ValueBindingPatternSyntax.self) {
            return casePatternBinding(name, binding.pattern, subject: subject, bound: true)
        }
        if let identifier = pattern.as(IdentifierPatternSyntax.self) {
            return identifier.identifier.identifierText == name ? subject : nil
        }
        if let expression = pattern.as(ExpressionPatternSyntax.self) {
            return caseExpressionBinding(name, expression.expression, subject: subject, bound: bound)
        }
        return binds(name, in: pattern, bound: bound) ? .unknown : nil
    }

    private func caseExpressionBinding(_ name: String, _ expression: ExprSyntax, subject: TypeRef, bound: Bool) -> TypeRef? {
        if let pattern = expression.as(PatternExprSyntax.self) {
            return casePatternBinding(name, pattern.pattern, subject: subject, bound: bound)
        }
        if bound, let reference = expression.as(DeclReferenceExprSyntax.self) {
            return reference.baseName.identifierText == name ? subject : nil
        }
        guard let call = expression.as(FunctionCallExprSyntax.self), let access = call.calledExpression.as(MemberAccessExprSyntax.self) else {
            // `.stop`, a constant, a tuple of patterns: bound only where a pattern names it.
            return binds(name, in: expression, bound: bound) ? .unknown : nil
        }
        var owner = subject
        if let base = access.base, case .meta(let type) = typeOf(base) { owner = .nominal(type) }
        let values = associatedValues(of: access.declName.baseName.identifierText, in: owner)
        for (position, argument) in call.arguments.enumerated() {
            let label = argument.label?.identifierText
            let value = values.flatMap { values in
                label.flatMap { label in values.first { $0.label == label } } ?? (position < values.count ? values[position] : nil)
            }
            if let found = caseExpressionBinding(name, argument.expression, subject: value?.type ?? .unknown, bound: bound) {
                return found
            }
        }
        return nil
    }

    /// The associated values of enum case `caseName` of `owner`, or nil when the repo does not
    /// declare that case.
    private func associatedValues(of caseName: String, in owner: TypeRef) -> [TypeRef.Element]? {
        switch owner {
        case .optional(let wrapped) where caseName == "some":
            return [TypeRef.Element(label: nil, type: wrapped)]
        case .nominal(let type):
            guard let member = index.lookupMember(caseName, in: type).first(where: { $0.role == .case }) else { return nil }
            return member.parameters.map { TypeRef.Element(label: $0.label, type: $0.type.map(typeRef) ?? .unknown) }
        default:
            return nil
        }
    }

    /// Whether a pattern binds `name` somewhere inside (under `let`/`var`, a plain name does).
    private func binds(_ name: String, in node: some SyntaxProtocol, bound: Bool) -> Bool {
        node.tokens(viewMode: .sourceAccurate).contains { token in
            guard token.identifierText == name, let parent = token.parent else { return false }
            return parent.is(IdentifierPatternSyntax.self) || (bound && parent.is(DeclReferenceExprSyntax.self))
        }
    }

    private func patternBinding(_ name: String, _ pattern: PatternSyntax, type: TypeRef) -> TypeRef? {
        if let identifier = pattern.as(IdentifierPatternSyntax.self) {
            return identifier.identifier.identifierText == name ? type : nil
        }
        if let tuple = pattern.as(TuplePatternSyntax.self) {
            for (position, element) in tuple.elements.enumerated() {
                var elementType: TypeRef = .unknown
                if case .tuple(let parts) = type, position < parts.count { elementType = parts[position].type }
                if let found = patternBinding(name, element.pattern, type: elementType) { return found }
            }
            return nil
        }
        if let binding = pattern.as(ValueBindingPatternSyntax.self) { return patternBinding(name, binding.pattern, type: type) }
        if pattern.tokens(viewMode: .sourceAccurate).contains(where: { $0.identifierText == name }) { return .unknown }
        return nil
    }

    // MARK: - Contextual types

    /// The type the context expects of an expression: what an implicit member `.name` is looked
    /// up on.
    /// The type a whole unfolded ternary sequence is given, when the ternary is all of it
    /// (`cond ? a : b` with no assignment around it).
    private func ternaryContext(_ sequence: SequenceExprSyntax) -> TypeRef? {
        let elements = Array(sequence.elements)
        guard elements.count >= 2, elements[elements.count - 2].is(UnresolvedTernaryExprSyntax.self),
              !elements.contains(where: { $0.is(AssignmentExprSyntax.self) }) else { return nil }
        let whole = contextualType(of: ExprSyntax(sequence))
        if case .unknown = whole { return nil }
        return whole.unwrapped
    }

    func contextualType(of expression: ExprSyntax) -> TypeRef {
        guard depth < 24 else { return .unknown }
        depth += 1
        defer { depth -= 1 }
        guard let parent = expression.parent else { return .unknown }
        if let argument = parent.as(LabeledExprSyntax.self) {
            guard let call = argument.parent?.parent?.as(FunctionCallExprSyntax.self) else {
                if let tuple = argument.parent?.parent?.as(TupleExprSyntax.self), tuple.elements.count == 1 {
                    return contextualType(of: ExprSyntax(tuple))
                }
                // An element of a tuple pattern (`case (.minus, .minus)`): that element of the subject's type.
                if let tuple = argument.parent?.parent?.as(TupleExprSyntax.self), tuple.parent?.is(ExpressionPatternSyntax.self) == true,
                   case .tuple(let parts) = contextualType(of: ExprSyntax(tuple)),
                   let position = tuple.elements.firstIndex(where: { $0.id == argument.id }) {
                    let offset = tuple.elements.distance(from: tuple.elements.startIndex, to: position)
                    return offset < parts.count ? parts[offset].type.unwrapped : .unknown
                }
                return .unknown
            }
            if argument.label?.text == "forKey", let access = call.calledExpression.as(MemberAccessExprSyntax.self), let base = access.base,
               case .codingContainer(let keys) = typeOf(base).unwrapped {
                return .nominal(keys)
            }
            if let parameter = parameterType(forArgument: argument, in: call) { return typeRef(parameter) }
            // A memberwise initializer: the stored property of that label.
            if case .meta(let type) = typeOf(call.calledExpression), let label = argument.label?.identifierText,
               let property = index.ownMembers(label, of: type).first(where: { $0.role == .property }) {
                return self.type(of: property)
            }
            return .unknown
        }
        if let call = parent.as(FunctionCallExprSyntax.self), call.calledExpression.id == expression.id {
            return contextualType(of: ExprSyntax(call))
        }
        if let initializer = parent.as(InitializerClauseSyntax.self) {
            if let binding = initializer.parent?.as(PatternBindingSyntax.self), let annotation = binding.typeAnnotation {
                return typeRef(annotation.type)
            }
            // A default parameter value has the parameter's type (`_ style: Style = .any`).
            if let parameter = initializer.parent?.as(FunctionParameterSyntax.self) { return typeRef(parameter.type) }
            if let parameter = initializer.parent?.as(EnumCaseParameterSyntax.self) { return typeRef(parameter.type) }
            return .unknown
        }
        // A ternary's branches have the type the whole ternary is given (`c ? .plus : .minus`).
        if let ternary = parent.as(UnresolvedTernaryExprSyntax.self), ternary.thenExpression.id == expression.id,
           let sequence = ternary.parent?.parent?.as(SequenceExprSyntax.self), let whole = ternaryContext(sequence) {
            return whole
        }
        if parent.is(ReturnStmtSyntax.self) { return returnType(at: parent) }
        if let item = parent.as(CodeBlockItemSyntax.self), let list = item.parent?.as(CodeBlockItemListSyntax.self), list.count == 1 {
            return returnType(at: Syntax(list))
        }
        if parent.is(ExprListSyntax.self), let sequence = parent.parent?.as(SequenceExprSyntax.self) {
            let elements = Array(sequence.elements)
            guard let position = elements.firstIndex(where: { $0.id == expression.id }) else { return .unknown }
            func isComparison(_ element: ExprSyntax) -> Bool {
                if element.is(AssignmentExprSyntax.self) { return true }
                return ["==", "!=", "~=", "??"].contains(element.as(BinaryOperatorExprSyntax.self)?.operator.text ?? "")
            }
            if position >= 1, elements[position - 1].is(UnresolvedTernaryExprSyntax.self), position == elements.count - 1,
               let whole = ternaryContext(sequence) {
                return whole
            }
            if position >= 2, isComparison(elements[position - 1]) { return typeOf(elements[position - 2]).unwrapped }
            if position + 2 < elements.count, isComparison(elements[position + 1]) { return typeOf(elements[position + 2]).unwrapped }
            return .unknown
        }
        if let pattern = parent.as(ExpressionPatternSyntax.self) {
            var current = Syntax(pattern).parent
            while let candidate = current {
                if let switchExpression = candidate.as(SwitchExprSyntax.self) { return typeOf(switchExpression.subject).unwrapped }
                if let matching = candidate.as(MatchingPatternConditionSyntax.self) { return typeOf(matching.initializer.value).unwrapped }
                if candidate.is(CodeBlockSyntax.self) { break }
                current = candidate.parent
            }
            return .unknown
        }
        if let element = parent.as(ArrayElementSyntax.self), let array = element.parent?.parent?.as(ArrayExprSyntax.self) {
            return contextualType(of: ExprSyntax(array)).element
        }
        if let tuple = parent.as(TupleExprSyntax.self), tuple.elements.count == 1 { return contextualType(of: ExprSyntax(tuple)) }
        if parent.is(OptionalChainingExprSyntax.self) || parent.is(ForceUnwrapExprSyntax.self) {
            return contextualType(of: ExprSyntax(parent)!)
        }
        return .unknown
    }

    /// The declared result type of the function, computed property or closure around `node`.
    private func returnType(at node: Syntax) -> TypeRef {
        var current: Syntax? = node
        while let candidate = current {
            if let function = candidate.as(FunctionDeclSyntax.self) {
                return function.signature.returnClause.map { typeRef($0.type) } ?? .unknown
            }
            if let closure = candidate.as(ClosureExprSyntax.self) {
                return closure.signature?.returnClause.map { typeRef($0.type) } ?? .unknown
            }
            if let binding = candidate.as(PatternBindingSyntax.self) {
                return binding.typeAnnotation.map { typeRef($0.type) } ?? .unknown
            }
            if let subscriptDecl = candidate.as(SubscriptDeclSyntax.self) { return typeRef(subscriptDecl.returnClause.type) }
            if candidate.is(InitializerDeclSyntax.self) || candidate.is(MemberBlockSyntax.self) { return .unknown }
            current = candidate.parent
        }
        return .unknown
    }
}

/// The `return` statements of a closure body, without those of closures, functions and
/// accessors nested in it.
private final class ClosureReturns: SyntaxVisitor {
    var found: [ReturnStmtSyntax] = []

    override func visit(_ node: ReturnStmtSyntax) -> SyntaxVisitorContinueKind {
        found.append(node)
        return .skipChildren
    }

    override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
    override func visit(_ node: AccessorBlockSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
}

extension SyntaxProtocol {
    /// The nearest ancestor of a kind.
    func ancestor<T: SyntaxProtocol>(_ kind: T.Type) -> T? {
        var current = parent
        while let candidate = current {
            if let found = candidate.as(kind) { return found }
            current = candidate.parent
        }
        return nil
    }
}

extension Array {
    /// The element of a one-element array.
    var onlyOne: Element? { count == 1 ? first : nil }
}
