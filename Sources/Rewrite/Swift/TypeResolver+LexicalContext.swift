internal import SwiftSyntax

/// TypeResolver: lexical context.
extension TypeResolver {
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


    func qualifiedName(ofTypeDeclaration node: Syntax) -> String? {
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

    func typeDeclName(_ node: Syntax) -> String? {
        if let d = node.as(StructDeclSyntax.self) { return d.name.identifierText }
        if let d = node.as(ClassDeclSyntax.self) { return d.name.identifierText }
        if let d = node.as(EnumDeclSyntax.self) { return d.name.identifierText }
        if let d = node.as(ProtocolDeclSyntax.self) { return d.name.identifierText }
        if let d = node.as(ActorDeclSyntax.self) { return d.name.identifierText }
        return nil
    }
}
