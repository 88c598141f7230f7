internal import SwiftSyntax
import SkeinBasics

/// The declarations of one consumer repo that rules need to know what a name refers to: types
/// (nested ones by qualified name), extensions, typealiases, protocols and conformances, and each
/// type's properties, methods, enum cases and initializers.
///
/// Built lazily: a look-up indexes the files that may declare or extend the name it asks about
/// (found by one scan of each file's bytes), parsing those not parsed yet; files that cannot
/// matter are never parsed, and files parsed for rewriting are indexed only when asked about.
final class SymbolIndex {
    enum TypeKind { case `struct`, `class`, `enum`, `protocol`, `actor`, associatedType }

    enum MemberRole: Equatable { case property, method, `case`, initializer, `subscript`, type }

    struct Parameter {
        var label: String?
        var type: TypeSyntax?
    }

    /// One member declaration (or one global variable or function).
    struct Member {
        var name: String
        var role: MemberRole
        /// Property type annotation, or function/subscript result type.
        var type: TypeSyntax?
        /// A property's initial value when it has no annotation.
        var initializer: ExprSyntax?
        var isStatic: Bool
        var isOverride: Bool
        var parameters: [Parameter]
        /// Qualified name of the type (or extended type) that declares it; nil for globals.
        var owner: String?
        /// The declaring node, for context.
        var node: Syntax

        var memberKind: MemberKind? {
            switch role {
            case .property: .property
            case .method: .method
            case .case: .case
            default: nil
            }
        }
    }

    final class TypeInfo {
        let name: String
        var kind: TypeKind
        var declared = false
        /// Inherited types as written, with the node they were written at (for lexical lookup).
        var inherited: [TypeSyntax] = []
        var members: [String: [Member]] = [:]
        var storedProperties: [String] = []
        var hasExplicitInitializer = false
        /// Declaration name tokens (type decls, not extensions).
        var declarations: [TokenSyntax] = []

        init(name: String, kind: TypeKind) {
            self.name = name
            self.kind = kind
        }
    }

    private var types: [String: TypeInfo] = [:]
    private var simpleNames: [String: Set<String>] = [:]
    private var typealiases: [String: TypeSyntax] = [:]
    /// Simple names of typealiases declared inside a type.
    private var nestedAliases: Set<String> = []
    private var globals: [String: [Member]] = [:]
    /// Files not indexed yet, for on-demand loading of declarations.
    private var pending: PendingSources
    private var filesByRoot: [SyntaxIdentifier: SwiftFile] = [:]
    /// The package's own module names (its targets): `Module.Name` names its top-level `Name`.
    var moduleNames: Set<String> = []

    init(pending: [SourceFile]) {
        self.pending = PendingSources(pending)
    }

    // MARK: - Building

    /// A file parsed for rewriting: indexed when a look-up needs its declarations.
    func addParsed(_ file: SwiftFile) {
        filesByRoot[Syntax(file.tree).id] = file
        pending.append(.parsed(file))
    }

    /// Indexes a cleanly parsing file's declarations.
    private func index(_ file: SwiftFile) {
        filesByRoot[Syntax(file.tree).id] = file
        for item in file.tree.statements {
            index(decl: item.item.as(DeclSyntax.self), context: nil, inExtension: false)
        }
    }

    /// What an on-demand load needs from a type's files.
    enum Need: Hashable {
        /// Where the type itself is declared (not its extensions).
        case declaration
        /// Where it is declared or extended with a conformance (`extension T: P`).
        case conformances
        /// Where it is declared or extended and the file mentions a member name.
        case member(String)
        /// Where it is extended as a nested type (`extension Outer.Name`).
        case nestedExtensions
        /// Where a function or variable of that name may be declared (`simpleName` is its name).
        case value
    }

    private struct LoadedNeed: Hashable {
        var name: String
        var need: Need
    }

    private var loadedNeeds: Set<LoadedNeed> = []

    /// Indexes (parsing them first if need be) the files a look-up of `simpleName` needs. A
    /// member can only be declared in a file that contains its name, so looking up one member
    /// never indexes the type's other extensions.
    func loadDeclarations(of simpleName: String, for need: Need = .declaration) {
        guard !simpleName.isEmpty, !pending.isEmpty, loadedNeeds.insert(LoadedNeed(name: simpleName, need: need)).inserted else { return }
        let found: [PendingSources.Entry]
        switch need {
        case .declaration: found = pending.take(simpleName, extensions: false)
        case .conformances: found = pending.take(simpleName, extensions: true, conformance: true)
        case .member(let name): found = pending.take(simpleName, extensions: true) { $0.text.containsWord(name) }
        case .nestedExtensions: found = pending.takeNestedExtensions(simpleName)
        case .value: found = pending.takeValues(simpleName)
        }
        load(found)
    }

    private func load(_ entries: [PendingSources.Entry]) {
        for entry in entries {
            switch entry {
            case .parsed(let file):
                index(file)
            case .source(let source):
                // One that does not parse cleanly declares nothing to rely on (and names nothing
                // the migration changes, or it would have been parsed for rewriting).
                let file = SwiftFile(path: source.path, text: source.text)
                if file.parsesCleanly { index(file) }
            }
        }
    }

    /// Indexes every file parsed for rewriting, for questions about all types at once.
    private func loadAllParsed() {
        guard !pending.isEmpty else { return }
        load(pending.takeParsed())
    }

    private func info(_ name: String, kind: TypeKind) -> TypeInfo {
        if let existing = types[name] { return existing }
        let created = TypeInfo(name: name, kind: kind)
        types[name] = created
        let simple = name.split(separator: ".").last.map(String.init) ?? name
        simpleNames[simple, default: []].insert(name)
        return created
    }

    private func index(decl: DeclSyntax?, context: String?, inExtension: Bool) {
        guard let decl else { return }
        if let ifConfig = decl.as(IfConfigDeclSyntax.self) {
            for clause in ifConfig.clauses {
                switch clause.elements {
                case .statements(let items)?: for item in items { index(decl: item.item.as(DeclSyntax.self), context: context, inExtension: inExtension) }
                case .decls(let members)?: for member in members { index(decl: member.decl, context: context, inExtension: inExtension) }
                default: break
                }
            }
            return
        }
        if let (name, kind, inheritance, members) = typeParts(decl) {
            let qualified = context.map { $0 + "." + name.identifierText } ?? name.identifierText
            let type = info(qualified, kind: kind)
            type.kind = kind
            type.declared = true
            type.declarations.append(name)
            type.inherited += inheritance?.inheritedTypes.map(\.type) ?? []
            if let context {
                add(Member(name: name.identifierText, role: .type, type: nil, initializer: nil, isStatic: true, isOverride: false,
                           parameters: [], owner: context, node: Syntax(decl)), to: context)
            }
            for member in members { index(decl: member.decl, context: qualified, inExtension: false) }
            return
        }
        if let extensionDecl = decl.as(ExtensionDeclSyntax.self) {
            let extended = qualifiedName(of: extensionDecl.extendedType, context: nil) ?? extensionDecl.extendedType.trimmedDescription
            let type = types[extended] ?? info(extended, kind: .struct)
            type.inherited += extensionDecl.inheritanceClause?.inheritedTypes.map(\.type) ?? []
            for member in extensionDecl.memberBlock.members { index(decl: member.decl, context: extended, inExtension: true) }
            return
        }
        if let alias = decl.as(TypeAliasDeclSyntax.self) {
            let qualified = context.map { $0 + "." + alias.name.identifierText } ?? alias.name.identifierText
            typealiases[qualified] = alias.initializer.value
            if context != nil { nestedAliases.insert(alias.name.identifierText) }
            return
        }
        let isStatic = decl.asProtocol(WithModifiersSyntax.self)?.modifiers.contains {
            $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class)
        } ?? false
        let isOverride = decl.asProtocol(WithModifiersSyntax.self)?.modifiers.contains { $0.name.tokenKind == .keyword(.override) } ?? false
        if let variable = decl.as(VariableDeclSyntax.self) {
            for binding in variable.bindings {
                guard let pattern = binding.pattern.as(IdentifierPatternSyntax.self) else { continue }
                let member = Member(
                    name: pattern.identifier.identifierText, role: .property, type: binding.typeAnnotation?.type,
                    initializer: binding.initializer?.value, isStatic: isStatic, isOverride: isOverride, parameters: [],
                    owner: context, node: Syntax(binding))
                if let context {
                    add(member, to: context)
                    let computed = binding.accessorBlock.map { block -> Bool in
                        if case .accessors(let accessors) = block.accessors {
                            return accessors.contains { $0.accessorSpecifier.tokenKind == .keyword(.get) || $0.accessorSpecifier.tokenKind == .keyword(.set) }
                        }
                        return true
                    } ?? false
                    if !isStatic, !computed, !inExtension { types[context]?.storedProperties.append(member.name) }
                } else {
                    globals[member.name, default: []].append(member)
                }
            }
        } else if let function = decl.as(FunctionDeclSyntax.self) {
            let member = Member(
                name: function.name.identifierText, role: .method, type: function.signature.returnClause?.type, initializer: nil,
                isStatic: isStatic, isOverride: isOverride, parameters: parameters(function.signature.parameterClause.parameters),
                owner: context, node: Syntax(function))
            if let context { add(member, to: context) } else { globals[member.name, default: []].append(member) }
        } else if let initializer = decl.as(InitializerDeclSyntax.self), let context {
            if !inExtension { types[context]?.hasExplicitInitializer = true }
            add(Member(name: "init", role: .initializer, type: nil, initializer: nil, isStatic: true, isOverride: isOverride,
                       parameters: parameters(initializer.signature.parameterClause.parameters), owner: context, node: Syntax(initializer)),
                to: context)
        } else if let enumCase = decl.as(EnumCaseDeclSyntax.self), let context {
            for element in enumCase.elements {
                let parameters = element.parameterClause?.parameters.map {
                    Parameter(label: $0.firstName?.identifierText, type: $0.type)
                } ?? []
                add(Member(name: element.name.identifierText, role: .case, type: nil, initializer: nil, isStatic: true,
                           isOverride: false, parameters: parameters, owner: context, node: Syntax(element)), to: context)
            }
        } else if let subscriptDecl = decl.as(SubscriptDeclSyntax.self), let context {
            add(Member(name: "subscript", role: .subscript, type: subscriptDecl.returnClause.type, initializer: nil, isStatic: isStatic,
                       isOverride: isOverride, parameters: parameters(subscriptDecl.parameterClause.parameters), owner: context,
                       node: Syntax(subscriptDecl)), to: context)
        } else if let associated = decl.as(AssociatedTypeDeclSyntax.self), let context {
            // Indexed as a type too (`Graph.E`), its constraints as supertypes, so members of
            // values of that type are found on the constraints.
            let type = info(context + "." + associated.name.identifierText, kind: .associatedType)
            type.kind = .associatedType
            type.declared = true
            type.inherited += associated.inheritanceClause?.inheritedTypes.map(\.type) ?? []
            add(Member(name: associated.name.identifierText, role: .type, type: nil, initializer: nil, isStatic: true,
                       isOverride: false, parameters: [], owner: context, node: Syntax(associated)), to: context)
        }
    }

    private func add(_ member: Member, to owner: String) {
        info(owner, kind: .struct).members[member.name, default: []].append(member)
    }

    private func parameters(_ list: FunctionParameterListSyntax) -> [Parameter] {
        list.map { Parameter(label: $0.firstName.tokenKind == .wildcard ? nil : $0.firstName.identifierText, type: $0.type) }
    }

    private func typeParts(_ decl: DeclSyntax) -> (TokenSyntax, TypeKind, InheritanceClauseSyntax?, MemberBlockItemListSyntax)? {
        if let d = decl.as(StructDeclSyntax.self) { return (d.name, .struct, d.inheritanceClause, d.memberBlock.members) }
        if let d = decl.as(ClassDeclSyntax.self) { return (d.name, .class, d.inheritanceClause, d.memberBlock.members) }
        if let d = decl.as(EnumDeclSyntax.self) { return (d.name, .enum, d.inheritanceClause, d.memberBlock.members) }
        if let d = decl.as(ProtocolDeclSyntax.self) { return (d.name, .protocol, d.inheritanceClause, d.memberBlock.members) }
        if let d = decl.as(ActorDeclSyntax.self) { return (d.name, .actor, d.inheritanceClause, d.memberBlock.members) }
        return nil
    }

    // MARK: - Looking up

    /// The qualified name a written type name refers to from within `context` (a qualified type
    /// name or nil at the top level): nested types of the context and its outer types first.
    func resolveTypeName(_ components: [String], context: String?) -> String? {
        guard let first = components.first else { return nil }
        if components.count > 1, isModuleName(first) {
            return resolveTypeName(Array(components.dropFirst()), context: nil)
        }
        loadDeclarations(of: first, for: .declaration)
        var candidates: [String] = []
        if let context {
            var scope = context.split(separator: ".").map(String.init)
            while !scope.isEmpty {
                candidates.append(scope.joined(separator: ".") + "." + first)
                scope.removeLast()
            }
        }
        candidates.append(first)
        for candidate in candidates {
            if types[candidate]?.declared == true || aliasedType(candidate) != nil {
                return ([candidate] + components.dropFirst()).joined(separator: ".")
            }
            // A nested type inherited from a superclass or protocol context is rare; not followed.
        }
        return nil
    }

    /// The qualified name of a written type (`Node.Scalar`, `Scalar` inside `Node`), following
    /// typealiases, or nil when the repo does not declare it.
    func qualifiedName(of type: TypeSyntax, context: String?) -> String? {
        guard let components = SymbolIndex.components(of: type) else { return nil }
        guard var name = resolveTypeName(components, context: context) else { return nil }
        var seen: Set<String> = []
        while let alias = aliasedType(name), seen.insert(name).inserted {
            let aliasContext = name.split(separator: ".").dropLast().joined(separator: ".")
            guard let target = qualifiedName(of: alias, context: aliasContext.isEmpty ? nil : aliasContext) else {
                return SymbolIndex.components(of: alias)?.joined(separator: ".")
            }
            name = target
        }
        return name
    }

    /// Whether some type or typealias named `simple` is declared inside another type: only then
    /// does what the name refers to depend on where it is written.
    func isNestedAnywhere(_ simple: String) -> Bool {
        // Extensions count: `extension Outer.Name` makes `Outer.Name` a type.
        loadDeclarations(of: simple, for: .declaration)
        loadDeclarations(of: simple, for: .nestedExtensions)
        return nestedAliases.contains(simple) || simpleNames[simple]?.contains { $0.utf8.contains(UInt8(ascii: ".")) } == true
    }

    /// `A.B.C` as components, or nil for types that are not plain names.
    static func components(of type: TypeSyntax) -> [String]? {
        if let identifier = type.as(IdentifierTypeSyntax.self) { return [identifier.name.identifierText] }
        if let member = type.as(MemberTypeSyntax.self), let base = components(of: member.baseType) {
            return base + [member.name.identifierText]
        }
        if let attributed = type.as(AttributedTypeSyntax.self) { return components(of: attributed.baseType) }
        if let someOrAny = type.as(SomeOrAnyTypeSyntax.self) { return components(of: someOrAny.constraint) }
        return nil
    }

    /// The indexed type of a qualified name, its declaration loaded (its extensions' members
    /// are loaded by `lookupMember` and `ownMembers`).
    func type(named name: String) -> TypeInfo? {
        loadDeclarations(of: SymbolIndex.simpleName(name), for: .declaration)
        return types[name]
    }

    /// Members named `name` that `type` itself (or an extension of it) declares.
    func ownMembers(_ name: String, of type: String) -> [Member] {
        let simple = SymbolIndex.simpleName(type)
        loadDeclarations(of: simple, for: .declaration)
        loadDeclarations(of: simple, for: .member(name))
        return types[type]?.members[name] ?? []
    }

    /// The aliased type of a qualified typealias name.
    func aliasedType(_ name: String) -> TypeSyntax? {
        loadDeclarations(of: SymbolIndex.simpleName(name), for: .declaration)
        return typealiases[name]
    }

    /// Top-level functions and variables named `name`.
    func globals(named name: String) -> [Member] {
        loadDeclarations(of: name, for: .value)
        return globals[name] ?? []
    }

    /// Every type declared or extended in the files parsed for rewriting and those loaded.
    func allTypes() -> [String: TypeInfo] {
        loadAllParsed()
        return types
    }

    static func simpleName(_ qualified: String) -> String {
        qualified.split(separator: ".").last.map(String.init) ?? qualified
    }

    /// The indexed file a node belongs to.
    func file(containing node: Syntax) -> SwiftFile? { filesByRoot[node.root.id] }

    func qualifiedNames(simple: String) -> Set<String> {
        loadDeclarations(of: simple, for: .declaration)
        return simpleNames[simple] ?? []
    }

    /// Direct supertypes (superclass, protocols) of an indexed type, as qualified names when the
    /// repo declares them, else as written.
    func supertypes(of name: String) -> [String] {
        loadDeclarations(of: SymbolIndex.simpleName(name), for: .declaration)
        loadDeclarations(of: SymbolIndex.simpleName(name), for: .conformances)
        guard let info = types[name] else { return [] }
        let context = name.split(separator: ".").dropLast().joined(separator: ".")
        let written = info.inherited.flatMap { inherited -> [TypeSyntax] in
            inherited.as(CompositionTypeSyntax.self).map { $0.elements.map(\.type) } ?? [inherited]
        }
        return written.compactMap { inherited in
            qualifiedName(of: inherited, context: context.isEmpty ? nil : context)
                ?? SymbolIndex.components(of: inherited)?.joined(separator: ".")
        }
    }

    /// Whether `name` is `ancestor`, or inherits from or conforms to it (transitively).
    func inherits(_ name: String, from ancestor: String) -> Bool {
        if name.contains(" & ") { return name.components(separatedBy: " & ").contains { inherits($0, from: ancestor) } }
        var seen: Set<String> = []
        var queue = [name]
        while let current = queue.popLast() {
            if current == ancestor { return true }
            guard seen.insert(current).inserted else { continue }
            loadDeclarations(of: String(current.split(separator: ".").last ?? ""), for: .conformances)
            queue += supertypes(of: current)
        }
        return false
    }

    /// The members named `name` visible on type `owner`: its own (and its extensions'), then its
    /// supertypes' in order. The first non-empty level wins.
    func lookupMember(_ name: String, in owner: String) -> [Member] {
        if owner.contains(" & ") {
            for part in owner.components(separatedBy: " & ") {
                let found = lookupMember(name, in: part)
                if !found.isEmpty { return found }
            }
            return []
        }
        var seen: Set<String> = []
        var queue = [owner]
        var index = 0
        while index < queue.count {
            let current = queue[index]
            index += 1
            guard seen.insert(current).inserted else { continue }
            let simple = String(current.split(separator: ".").last ?? "")
            loadDeclarations(of: simple, for: .member(name))
            loadDeclarations(of: simple, for: .conformances)
            if let found = types[current]?.members[name], !found.isEmpty { return found }
            queue += supertypes(of: current)
        }
        return []
    }

    /// Every indexed type that inherits from or conforms to `ancestor` (not `ancestor` itself).
    func descendants(of ancestor: String) -> [String] {
        allTypes().keys.filter { $0 != ancestor && inherits($0, from: ancestor) }.sorted()
    }
}

extension SymbolIndex {
    /// Whether a name is one of the package's modules and not shadowed by a type of the repo
    /// (a type named as its module takes `Name.Member` for itself).
    func isModuleName(_ name: String) -> Bool {
        guard moduleNames.contains(name) else { return false }
        loadDeclarations(of: name, for: .declaration)
        return types[name]?.declared != true && aliasedType(name) == nil
    }

    /// The module names of a package: the folders of `Sources/` and `Tests/` its files are in,
    /// and the targets its manifest names.
    static func moduleNames(of files: [SourceFile]) -> Set<String> {
        var names: Set<String> = []
        for file in files {
            let components = file.path.split(separator: "/")
            if components.count > 2, components[0] == "Sources" || components[0] == "Tests" { names.insert(String(components[1])) }
            guard file.path == "Package.swift" else { continue }
            // `.target(name: "X"`, `.testTarget(name: "X"`, `.executableTarget(name: "X"`...
            var rest = file.text[...]
            while let range = rest.range(of: "arget(") {
                var after = rest[range.upperBound...].drop { $0 == " " || $0 == "\n" }
                guard after.hasPrefix("name:") else {
                    rest = rest[range.upperBound...]
                    continue
                }
                after = after.dropFirst(5).drop { $0 == " " }
                if after.first == "\"" {
                    let name = after.dropFirst().prefix { $0 != "\"" && $0 != "\n" }
                    if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { names.insert(String(name)) }
                }
                rest = rest[range.upperBound...]
            }
        }
        return names
    }
}
