/// What a config scalar holds once parsed, as far as the format tells.
enum ScalarKind: String, Hashable, Sendable {
    case string, integer, float, bool, null, other
}

/// How a scalar is written in its file, so an edit can write the new value the same way.
enum ScalarStyle: Hashable, Sendable {
    case plain, singleQuoted, doubleQuoted, literal
}

/// A scalar value or key of a config file and where its text lies.
///
/// `spans` are UTF-8 byte ranges of the file; a key may be written in several places (a TOML
/// table header and a dotted key naming the same table). An empty `spans` means the scalar
/// cannot be edited in place, and `refusal` says why.
struct ConfigScalar: Sendable {
    var value: String
    var kind: ScalarKind
    var style: ScalarStyle
    var spans: [Range<Int>]
    var refusal: String?
    /// 1-based line of the scalar's first character.
    var line: Int
    /// Identity in its document: the byte offset where the scalar starts.
    var id: Int
    /// Inside a YAML node that an alias uses elsewhere: a rule naming this path would change
    /// the alias's path too. A value rewrite (a moved location) may still edit it, as the
    /// alias holds the same old value.
    var aliased = false

    init(value: String, kind: ScalarKind, style: ScalarStyle, spans: [Range<Int>], refusal: String? = nil, line: Int, id: Int? = nil) {
        self.value = value
        self.kind = kind
        self.style = style
        self.spans = spans
        self.refusal = refusal
        self.line = line
        self.id = id ?? spans.first?.lowerBound ?? -line
    }

    var isString: Bool { kind == .string }
}

/// One `key: value` pair of a mapping, with the bytes to remove when deleting it.
struct ConfigEntry: Sendable {
    var key: ConfigScalar
    var value: ConfigNode
    /// The byte range a `configDelete` removes, or nil with `deletionRefusal` saying why.
    var deletion: Range<Int>?
    var deletionRefusal: String?
    /// What takes the deleted range's place: nothing, or `{}` where removing a mapping's only
    /// entry would leave no value at all.
    var deletionText = ""
}

/// Where and how a new entry can be added to a mapping.
struct InsertionPoint: Sendable {
    /// Byte offset where the new text goes.
    var offset: Int
    /// Text written before the entry (a line end, indentation, a comma) and after it.
    var prefix: String
    var suffix: String
}

struct ConfigMapping: Sendable {
    var entries: [ConfigEntry]
    var line: Int
    var id: Int
    var insertion: InsertionPoint?
    /// Each key is a whole dotted path (`.properties` that cannot be read as nested keys, such
    /// as one with both `a` and `a.b`): a rule path matches a key only as a whole.
    var dottedKeys = false

    func entry(_ key: String) -> ConfigEntry? { entries.last { $0.key.value == key } }
}

struct ConfigSequence: Sendable {
    var items: [ConfigNode]
    var line: Int
}

/// A config document as located by a format's parser: the shape a format-independent rule
/// walks, with every editable scalar and key carrying its byte span.
indirect enum ConfigNode: Sendable {
    case scalar(ConfigScalar)
    case mapping(ConfigMapping)
    case sequence(ConfigSequence)

    var line: Int {
        switch self {
        case .scalar(let scalar): scalar.line
        case .mapping(let mapping): mapping.line
        case .sequence(let sequence): sequence.line
        }
    }

    var scalar: ConfigScalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    var mapping: ConfigMapping? {
        if case .mapping(let mapping) = self { return mapping }
        return nil
    }

    var sequence: ConfigSequence? {
        if case .sequence(let sequence) = self { return sequence }
        return nil
    }
}

/// The meaning of one edit, used to predict what the edited file must parse to.
enum EditEffect: Hashable, Sendable {
    case setValue(id: Int, value: String, kind: ScalarKind)
    case renameKey(id: Int, to: String)
    case deleteEntry(keyID: Int)
    case insertEntry(mappingID: Int, key: String, value: String, kind: ScalarKind)
}

extension ConfigNode {
    /// The document after the given effects, as the edited file must parse.
    func applying(_ effects: [EditEffect]) -> ConfigNode {
        var values: [Int: (String, ScalarKind)] = [:]
        var keys: [Int: String] = [:]
        var deleted: Set<Int> = []
        var inserted: [Int: [(String, String, ScalarKind)]] = [:]
        for effect in effects {
            switch effect {
            case let .setValue(id, value, kind): values[id] = (value, kind)
            case let .renameKey(id, to): keys[id] = to
            case let .deleteEntry(keyID): deleted.insert(keyID)
            case let .insertEntry(mappingID, key, value, kind): inserted[mappingID, default: []].append((key, value, kind))
            }
        }
        func transform(_ node: ConfigNode) -> ConfigNode {
            switch node {
            case .scalar(var scalar):
                if let (value, kind) = values[scalar.id] {
                    scalar.value = value
                    scalar.kind = kind
                }
                return .scalar(scalar)
            case .sequence(var sequence):
                sequence.items = sequence.items.map(transform)
                return .sequence(sequence)
            case .mapping(var mapping):
                mapping.entries = mapping.entries.compactMap { entry in
                    if deleted.contains(entry.key.id) { return nil }
                    var entry = entry
                    if let name = keys[entry.key.id] { entry.key.value = name }
                    entry.value = transform(entry.value)
                    return entry
                }
                for (key, value, kind) in inserted[mapping.id] ?? [] {
                    let keyScalar = ConfigScalar(value: key, kind: .string, style: .plain, spans: [], line: 0, id: -1)
                    let valueScalar = ConfigScalar(value: value, kind: kind, style: .plain, spans: [], line: 0, id: -1)
                    mapping.entries.append(ConfigEntry(key: keyScalar, value: .scalar(valueScalar)))
                }
                return .mapping(mapping)
            }
        }
        return transform(self)
    }

    /// Every scalar with the path leading to it, in document order: what a comparison of two
    /// parses looks at. Keys are compared by value; mapping order is kept.
    func flattened(_ prefix: String, into lines: inout [String]) {
        switch self {
        case .scalar(let scalar):
            lines.append("\(prefix) = \(scalar.kind.rawValue):\(scalar.value.debugDescription)")
        case .sequence(let sequence):
            lines.append("\(prefix) = [\(sequence.items.count)]")
            for (index, item) in sequence.items.enumerated() {
                item.flattened("\(prefix)[\(index)]", into: &lines)
            }
        case .mapping(let mapping):
            lines.append("\(prefix) = {\(mapping.entries.count)}")
            for entry in mapping.entries {
                entry.value.flattened("\(prefix).\(entry.key.value.debugDescription)", into: &lines)
            }
        }
    }

    /// The flattened form of several documents.
    static func flatten(_ documents: [ConfigNode]) -> [String] {
        var lines: [String] = []
        for (index, document) in documents.enumerated() {
            document.flattened("$\(index)", into: &lines)
        }
        return lines
    }
}
