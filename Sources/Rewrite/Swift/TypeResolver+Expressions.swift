internal import SwiftSyntax

/// TypeResolver: expressions.
extension TypeResolver {
    func typeOf(_ expression: ExprSyntax) -> TypeRef {
        guard depth < 24 else { return .unknown }
        depth += 1
        defer { depth -= 1 }
        return computeType(expression)
    }

    func computeType(_ expression: ExprSyntax) -> TypeRef {
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

    func typeOf(sequence: SequenceExprSyntax) -> TypeRef {
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

    func typeOf(reference: DeclReferenceExprSyntax) -> TypeRef {
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

    func typeOf(call: FunctionCallExprSyntax) -> TypeRef {
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

    func collectionResult(_ method: String, on base: TypeRef, call: FunctionCallExprSyntax) -> TypeRef {
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
    func closureResult(_ call: FunctionCallExprSyntax, element: TypeRef = .unknown) -> TypeRef {
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

    func keyPathRootOf(parameterType: TypeSyntax) -> TypeRef? {
        guard let identifier = parameterType.as(IdentifierTypeSyntax.self),
              ["KeyPath", "WritableKeyPath", "ReferenceWritableKeyPath", "PartialKeyPath"].contains(identifier.name.text),
              let first = identifier.genericArgumentClause?.arguments.first,
              let type = Syntax(first.argument).as(TypeSyntax.self) else { return nil }
        return typeRef(type)
    }
}
