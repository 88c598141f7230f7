internal import SwiftSyntax

/// Works out, from the source alone, the type of an expression: annotations, `T(...)`,
/// `self`/`Self`, implicit members with a contextual type, closure parameters over collections of
/// known element type, `for`/`if let`/`guard let` bindings, optional chaining, members and
/// functions the repo declares, generic parameters constrained to a protocol, and key paths.
/// Whatever the source does not decide is `.unknown`; nothing is guessed.
final class TypeResolver {
    let index: SymbolIndex
    var depth = 0

    /// Qualified names of type declarations and extended types, by node: every reference inside
    /// a type asks for it.
    var typeDeclarationNames: [SyntaxIdentifier: String?] = [:]

    init(index: SymbolIndex) {
        self.index = index
    }

    /// Methods of collections whose closure parameters are the collection's elements.
    static let elementClosureMethods: Set<String> = [
        "map", "compactMap", "flatMap", "filter", "forEach", "first", "last", "contains", "allSatisfy",
        "firstIndex", "lastIndex", "drop", "prefix", "removeAll", "min", "max", "sorted", "sort", "partition",
        "split", "count", "reduce", "sum", "lazy", "grouping", "uniqued", "chunked", "sortedByKey",
    ]
}

/// The `return` statements of a closure body, without those of closures, functions and
/// accessors nested in it.
final class ClosureReturns: SyntaxVisitor {
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
