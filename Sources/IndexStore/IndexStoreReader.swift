import SkeinBasics
#if canImport(CIndexStore)
internal import CIndexStore
#endif

/// Why a store could not be read.
public struct IndexStoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Reads a compiler index store (`.build/<triple>/debug/index/store`) into a `CompilerIndex`:
/// the units whose main file lies in the package (dependencies under `.build` and system
/// modules are passed over), and in their records the occurrences of the symbols the query
/// names, with their relations. Paths are made relative to the package root; a path outside it
/// is dropped and listed.
///
/// The store's bytes are the consumer's: call this in a process of its own (`skein-index`).
public enum IndexStoreReader {
    /// Whether this build of skein can read index stores at all.
    public static var isAvailable: Bool {
        #if canImport(CIndexStore)
        true
        #else
        false
        #endif
    }

    /// Units looked at, at most: a store of a real package holds a few thousand.
    static let maximumUnits = 100_000
    static let maximumDropped = 20

    public static func read(_ query: CompilerIndexQuery) throws(IndexStoreError) -> CompilerIndex {
        #if canImport(CIndexStore)
        var error: indexstore_error_t?
        guard let store = indexstore_store_create(query.store, &error) else {
            let message = error.map { String(cString: indexstore_error_get_description($0)) } ?? "unknown error"
            if let error { indexstore_error_dispose(error) }
            throw IndexStoreError("cannot open the index store \(query.store): \(message)")
        }
        defer { indexstore_store_dispose(store) }
        let reading = Reading(query: query)
        let box = Unmanaged.passUnretained(reading).toOpaque()

        _ = indexstore_store_units_apply_f(store, 1, box) { context, name in
            let reading = Unmanaged<Reading>.fromOpaque(context!).takeUnretainedValue()
            guard reading.unitNames.count < IndexStoreReader.maximumUnits else {
                reading.result.truncated = true
                return false
            }
            reading.unitNames.append(string(name))
            return true
        }
        for unitName in reading.unitNames {
            guard let unit = indexstore_unit_reader_create(store, unitName, &error) else {
                if let error { indexstore_error_dispose(error) }
                continue
            }
            defer { indexstore_unit_reader_dispose(unit) }
            if indexstore_unit_reader_is_system_unit(unit) { continue }
            guard indexstore_unit_reader_has_main_file(unit) else { continue }
            let mainFile = string(indexstore_unit_reader_get_main_file(unit))
            guard let relative = reading.packagePath(mainFile) else { continue }
            reading.files.insert(relative)
            _ = indexstore_unit_reader_dependencies_apply_f(unit, box) { context, dependency in
                let reading = Unmanaged<Reading>.fromOpaque(context!).takeUnretainedValue()
                guard indexstore_unit_dependency_get_kind(dependency) == INDEXSTORE_UNIT_DEPENDENCY_RECORD,
                      !indexstore_unit_dependency_is_system(dependency) else { return true }
                let path = string(indexstore_unit_dependency_get_filepath(dependency))
                let record = string(indexstore_unit_dependency_get_name(dependency))
                if let relative = reading.packagePath(path), !record.isEmpty, reading.recordPaths[record] == nil {
                    reading.recordPaths[record] = relative
                    reading.recordOrder.append(record)
                }
                return true
            }
        }
        for record in reading.recordOrder {
            guard !reading.result.truncated else { break }
            guard let reader = indexstore_record_reader_create(store, record, &error) else {
                if let error { indexstore_error_dispose(error) }
                continue
            }
            defer { indexstore_record_reader_dispose(reader) }
            reading.currentPath = reading.recordPaths[record] ?? ""
            _ = indexstore_record_reader_occurrences_apply_f(reader, box) { context, occurrence in
                let reading = Unmanaged<Reading>.fromOpaque(context!).takeUnretainedValue()
                return reading.add(occurrence!)
            }
        }
        var result = reading.result
        result.files = reading.files.sorted()
        result.indexedLines = reading.lines.mapValues { $0.sorted() }
        return result
        #else
        throw IndexStoreError("this build of skein has no index store reader (the toolchain's libIndexStore was not found when it was built)")
        #endif
    }
}

#if canImport(CIndexStore)
private func string(_ reference: indexstore_string_ref_t) -> String {
    guard let data = reference.data, reference.length > 0 else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: data, count: reference.length), as: UTF8.self)
}

/// The state of one read, reached from the C callbacks through their context pointer.
private final class Reading {
    let query: CompilerIndexQuery
    let names: Set<String>
    let root: String
    var unitNames: [String] = []
    var files: Set<String> = []
    var recordPaths: [String: String] = [:]
    var recordOrder: [String] = []
    var currentPath = ""
    var result = CompilerIndex()
    /// Per file, the lines with any occurrence (of any symbol).
    var lines: [String: Set<Int>] = [:]
    private var droppedSeen: Set<String> = []

    init(query: CompilerIndexQuery) {
        self.query = query
        names = Set(query.names)
        root = query.packageRoot.hasSuffix("/") ? String(query.packageRoot.dropLast()) : query.packageRoot
    }

    /// A store path as a path relative to the package root, or nil: outside the root (dropped
    /// and listed), or in the package's build folder (dependencies, generated code).
    func packagePath(_ path: String) -> String? {
        guard path.hasPrefix(root + "/") else {
            drop(path)
            return nil
        }
        let relative = String(path.dropFirst(root.count + 1))
        let components = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.isEmpty, !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            drop(path)
            return nil
        }
        if components.first == ".build" { return nil }
        return relative
    }

    private func drop(_ path: String) {
        // A few examples are enough for the report; a store naming thousands is bounded here.
        guard !path.isEmpty, droppedSeen.count < IndexStoreReader.maximumDropped, droppedSeen.insert(path).inserted else { return }
        result.dropped.append(path)
    }

    func symbol(_ symbol: indexstore_symbol_t) -> IndexSymbol {
        IndexSymbol(usr: string(indexstore_symbol_get_usr(symbol)), name: string(indexstore_symbol_get_name(symbol)),
                    kind: kind(symbol))
    }

    /// Keeps an occurrence of a wanted name; false stops the record (the limit is reached).
    func add(_ occurrence: indexstore_occurrence_t) -> Bool {
        guard let handle = indexstore_occurrence_get_symbol(occurrence) else { return true }
        var line: UInt32 = 0, column: UInt32 = 0
        indexstore_occurrence_get_line_col(occurrence, &line, &column)
        if lines[currentPath, default: []].count < 1_000_000 { lines[currentPath, default: []].insert(Int(line)) }
        let name = string(indexstore_symbol_get_name(handle))
        guard names.contains(String(name.prefix { $0 != "(" })) else { return true }
        guard result.occurrences.count < query.maximumOccurrences else {
            result.truncated = true
            return false
        }
        let found = symbol(handle)
        guard !found.usr.isEmpty else { return true }
        if result.symbols[found.usr] == nil { result.symbols[found.usr] = found }
        relations = []
        _ = indexstore_occurrence_relations_apply_f(occurrence, Unmanaged.passUnretained(self).toOpaque()) { context, relation in
            let reading = Unmanaged<Reading>.fromOpaque(context!).takeUnretainedValue()
            guard let relation, let related = indexstore_symbol_relation_get_symbol(relation) else { return true }
            let symbol = reading.symbol(related)
            guard !symbol.usr.isEmpty, reading.relations.count < 64 else { return true }
            if reading.result.symbols[symbol.usr] == nil { reading.result.symbols[symbol.usr] = symbol }
            reading.relations.append(IndexRelation(
                usr: symbol.usr, roles: SymbolRoles(rawValue: UInt64(indexstore_symbol_relation_get_roles(relation)))))
            return true
        }
        result.occurrences.append(IndexOccurrence(
            usr: found.usr, path: currentPath, line: Int(line), column: Int(column),
            roles: SymbolRoles(rawValue: UInt64(indexstore_occurrence_get_roles(occurrence))), relations: relations))
        return true
    }

    private var relations: [IndexRelation] = []

    private func kind(_ symbol: indexstore_symbol_t) -> IndexSymbolKind {
        let subkind = indexstore_symbol_get_subkind(symbol)
        if subkind == INDEXSTORE_SYMBOL_SUBKIND_SWIFTASSOCIATEDTYPE { return .associatedType }
        if subkind == INDEXSTORE_SYMBOL_SUBKIND_SWIFTGENERICTYPEPARAM { return .genericParameter }
        switch indexstore_symbol_get_kind(symbol) {
        case INDEXSTORE_SYMBOL_KIND_STRUCT: return .struct
        case INDEXSTORE_SYMBOL_KIND_CLASS: return .class
        case INDEXSTORE_SYMBOL_KIND_ENUM: return .enum
        case INDEXSTORE_SYMBOL_KIND_PROTOCOL: return .protocol
        case INDEXSTORE_SYMBOL_KIND_EXTENSION: return .extension
        case INDEXSTORE_SYMBOL_KIND_TYPEALIAS: return .typealias
        case INDEXSTORE_SYMBOL_KIND_FUNCTION: return .function
        case INDEXSTORE_SYMBOL_KIND_VARIABLE: return .variable
        case INDEXSTORE_SYMBOL_KIND_FIELD: return .field
        case INDEXSTORE_SYMBOL_KIND_ENUMCONSTANT: return .enumCase
        case INDEXSTORE_SYMBOL_KIND_INSTANCEMETHOD: return .instanceMethod
        case INDEXSTORE_SYMBOL_KIND_CLASSMETHOD: return .classMethod
        case INDEXSTORE_SYMBOL_KIND_STATICMETHOD: return .staticMethod
        case INDEXSTORE_SYMBOL_KIND_INSTANCEPROPERTY: return .instanceProperty
        case INDEXSTORE_SYMBOL_KIND_CLASSPROPERTY: return .classProperty
        case INDEXSTORE_SYMBOL_KIND_STATICPROPERTY: return .staticProperty
        case INDEXSTORE_SYMBOL_KIND_CONSTRUCTOR: return .constructor
        case INDEXSTORE_SYMBOL_KIND_PARAMETER: return .parameter
        case INDEXSTORE_SYMBOL_KIND_MODULE: return .module
        default: return .other
        }
    }
}
#endif
