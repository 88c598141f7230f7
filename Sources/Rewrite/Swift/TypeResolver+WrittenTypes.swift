internal import SwiftSyntax

/// TypeResolver: written types.
extension TypeResolver {
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
    func genericParameter(_ name: String, at node: Syntax) -> TypeRef? {
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
    func associatedType(_ name: String, at node: Syntax) -> TypeRef? {
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
    func whereConstraints(_ name: String, _ whereClause: GenericWhereClauseSyntax?) -> [TypeSyntax] {
        (whereClause?.requirements ?? []).compactMap { requirement in
            if case .conformanceRequirement(let conformance) = requirement.requirement, conformance.leftType.trimmedDescription == name {
                return conformance.rightType
            }
            return nil
        }
    }

    /// Several constraints (`A & B`, or a parameter's constraint plus where clauses) as one
    /// nominal whose members are looked up in each: `A & B`.
    func constraint(_ types: [TypeSyntax]) -> TypeRef {
        var names: [String] = []
        for type in types {
            let parts = type.as(CompositionTypeSyntax.self).map { $0.elements.map(\.type) } ?? [type]
            for part in parts {
                if let owner = typeRef(part).memberOwner, !names.contains(owner) { names.append(owner) }
            }
        }
        return names.isEmpty ? .unknown : .nominal(names.joined(separator: " & "))
    }
}
