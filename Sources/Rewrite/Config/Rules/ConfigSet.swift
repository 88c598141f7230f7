import SkeinBasics

/// `configSet`: sets the value at a key path, or adds the key when only its last part is
/// missing; in flat formats every value is its text.
extension ConfigPlanner {
    mutating func configSet(_ path: String, to value: ConfigValue, change: Change, in document: ConfigNode) {
        guard let (parent, entry, rest) = ConfigPlanner.resolve(document, ConfigPlanner.keys(path)) else { return }
        var (text, kind): (String, ScalarKind)
        switch value {
        case .string(let string): (text, kind) = (string, .string)
        case .integer(let number): (text, kind) = (String(number), .integer)
        case .double(let number): (text, kind) = (String(number), .float)
        case .bool(let flag): (text, kind) = (String(flag), .bool)
        case .null: (text, kind) = ("null", .null)
        }
        // `.properties` and `.env` hold only text: a number or a boolean is its text, and
        // null an empty value.
        if format.holdsOnlyText {
            if kind == .null { text = "" }
            kind = .string
        }
        if let entry, rest.isEmpty {
            guard let scalar = entry.value.scalar else {
                report(entry.key.line, "\(path) is not a single value; \(change.summary) not applied")
                return
            }
            if scalar.kind == kind && scalar.value == text || kind == .null && scalar.kind == .null { return }
            if scalar.aliased {
                report(scalar.line, "\(path) not set: \(YAMLLocator.anchoredRefusal)")
                return
            }
            setValue(scalar, to: text, kind: kind, changes: [change], what: path)
        } else if entry == nil, rest.count == 1 {
            insert(into: parent, key: rest[0], value: text, kind: kind, change: change)
        }
    }
}
