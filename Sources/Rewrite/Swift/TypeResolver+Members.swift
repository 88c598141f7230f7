internal import SwiftSyntax

/// TypeResolver: members.
extension TypeResolver {
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

    func substituteAssociatedTypes(_ type: TypeRef, for owner: String) -> TypeRef {
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

    func unify(_ pattern: TypeRef, _ concrete: TypeRef, _ associated: String) -> TypeRef? {
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

    func declaredMemberType(_ name: String, on base: TypeRef) -> TypeRef {
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
}
