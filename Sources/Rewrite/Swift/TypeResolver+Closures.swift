internal import SwiftSyntax

/// TypeResolver: closures.
extension TypeResolver {
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

    func functionType(_ type: TypeSyntax) -> FunctionTypeSyntax? {
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
    func uncalled(_ members: [SymbolIndex.Member]) -> SymbolIndex.Member? {
        members.filter { $0.role == .property || $0.role == .case }.onlyOne
    }

    /// The first of several members when they all give the same result type (as written).
    func sameResult(_ members: [SymbolIndex.Member]) -> SymbolIndex.Member? {
        guard let first = members.first else { return nil }
        let written = first.type?.trimmedDescription
        guard written != nil, members.allSatisfy({ $0.type?.trimmedDescription == written && $0.role == first.role }) else { return nil }
        return first
    }

    func parameterType(forArgument argument: LabeledExprSyntax, in call: FunctionCallExprSyntax) -> TypeSyntax? {
        guard let member = callee(of: call) else { return nil }
        let label = argument.label?.identifierText
        let position = call.arguments.firstIndex(where: { $0.id == argument.id }).map { call.arguments.distance(from: call.arguments.startIndex, to: $0) } ?? 0
        if let labeled = member.parameters.first(where: { $0.label == label && label != nil }) { return labeled.type }
        if position < member.parameters.count, member.parameters[position].label == label { return member.parameters[position].type }
        return member.parameters.first(where: { $0.label == label })?.type
    }

    func trailingClosureParameterType(in call: FunctionCallExprSyntax) -> TypeSyntax? {
        guard let member = callee(of: call) else { return nil }
        return member.parameters.last?.type
    }
}
