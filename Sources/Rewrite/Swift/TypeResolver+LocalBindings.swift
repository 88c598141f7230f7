internal import SwiftSyntax

/// TypeResolver: local bindings.
extension TypeResolver {
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

    func functionLike(_ node: Syntax) -> FunctionParameterListSyntax? {
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

    func declaredType(_ name: String, in item: CodeBlockItemSyntax.Item) -> TypeRef? {
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

    func conditionBinding(_ name: String, _ condition: ConditionElementSyntax, at node: Syntax) -> TypeRef? {
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
    func switchCaseBinding(_ name: String, _ switchCase: SwitchCaseSyntax) -> TypeRef? {
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
    func casePatternBinding(_ name: String, _ pattern: PatternSyntax, subject: TypeRef, bound: Bool = false) -> TypeRef? {
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

    func caseExpressionBinding(_ name: String, _ expression: ExprSyntax, subject: TypeRef, bound: Bool) -> TypeRef? {
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
    func associatedValues(of caseName: String, in owner: TypeRef) -> [TypeRef.Element]? {
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
    func binds(_ name: String, in node: some SyntaxProtocol, bound: Bool) -> Bool {
        node.tokens(viewMode: .sourceAccurate).contains { token in
            guard token.identifierText == name, let parent = token.parent else { return false }
            return parent.is(IdentifierPatternSyntax.self) || (bound && parent.is(DeclReferenceExprSyntax.self))
        }
    }

    func patternBinding(_ name: String, _ pattern: PatternSyntax, type: TypeRef) -> TypeRef? {
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
}
