internal import SwiftSyntax

/// TypeResolver: contextual types.
extension TypeResolver {
    /// The type the context expects of an expression: what an implicit member `.name` is looked
    /// up on.
    /// The type a whole unfolded ternary sequence is given, when the ternary is all of it
    /// (`cond ? a : b` with no assignment around it).
    func ternaryContext(_ sequence: SequenceExprSyntax) -> TypeRef? {
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
    func returnType(at node: Syntax) -> TypeRef {
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
