/// What the source shows about the type of an expression or declaration.
///
/// `nominal` names a type by its qualified name (`Node.Scalar`) as the repo's index knows it, or
/// by the name as written when the type comes from elsewhere (`String`, `PlaysClient` from a
/// library). `unknown` means the source does not decide: rules leave such references alone and
/// report them.
indirect enum TypeRef: Hashable, CustomStringConvertible {
    case nominal(String)
    /// The type itself used as a value: `T` in `T(...)`, `T.self`, `T.staticMember`.
    case meta(String)
    case array(TypeRef)
    case set(TypeRef)
    case dictionary(TypeRef, TypeRef)
    case optional(TypeRef)
    case tuple([Element])
    /// A function or closure value, by its result.
    case function(TypeRef)
    /// `decoder.container(keyedBy: K.self)`: a keyed container whose keys are `K`.
    case codingContainer(String)
    case unknown

    struct Element: Hashable {
        var label: String?
        var type: TypeRef
    }

    var description: String {
        switch self {
        case .nominal(let name): name
        case .meta(let name): name + ".Type"
        case .array(let element): "[\(element)]"
        case .set(let element): "Set<\(element)>"
        case .dictionary(let key, let value): "[\(key): \(value)]"
        case .optional(let wrapped): "\(wrapped)?"
        case .tuple(let elements): "(" + elements.map { ($0.label.map { $0 + ": " } ?? "") + $0.type.description }.joined(separator: ", ") + ")"
        case .function(let result): "(...) -> \(result)"
        case .codingContainer(let keys): "KeyedContainer<\(keys)>"
        case .unknown: "?"
        }
    }

    /// The type with every level of Optional removed.
    var unwrapped: TypeRef {
        if case .optional(let wrapped) = self { return wrapped.unwrapped }
        return self
    }

    var isUnknown: Bool { self.unwrapped == .unknown }

    /// The element a `for` loop or a collection method's closure sees.
    var element: TypeRef {
        switch unwrapped {
        case .array(let element), .set(let element): element
        case .dictionary(let key, let value): .tuple([Element(label: "key", type: key), Element(label: "value", type: value)])
        default: .unknown
        }
    }

    var isCollection: Bool {
        switch unwrapped {
        case .array, .set, .dictionary: true
        default: false
        }
    }

    /// The nominal type whose members a `.name` on this value looks up.
    var memberOwner: String? {
        if case .nominal(let name) = unwrapped { return name }
        return nil
    }
}

/// Names of standard library and Foundation value types that are certainly not declared by a
/// consumer: a member looked up on them is never a consumer's member.
let wellKnownExternalTypes: Set<String> = [
    "String", "Substring", "Character", "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8",
    "UInt16", "UInt32", "UInt64", "Double", "Float", "Bool", "Data", "Date", "URL", "UUID",
    "Decimal", "Error", "Any", "AnyObject", "Never", "Void",
    // Foundation's classes and their companions.
    "NSError", "NSString", "NSNumber", "NSObject", "NSData", "NSDate", "NSURL", "NSArray", "NSDictionary",
    "NSRange", "NSRegularExpression", "NSLock", "NSRecursiveLock", "NSCondition", "NSPredicate", "NSAttributedString",
    "DateFormatter", "ISO8601DateFormatter", "NumberFormatter", "JSONDecoder", "JSONEncoder", "PropertyListDecoder",
    "PropertyListEncoder", "FileManager", "ProcessInfo", "Bundle", "Calendar", "TimeZone", "Locale", "DateComponents",
    "URLComponents", "URLQueryItem", "URLRequest", "URLResponse", "HTTPURLResponse", "URLSession", "Notification",
    "NotificationCenter", "OperationQueue", "DispatchQueue", "Thread", "RunLoop", "Timer", "CharacterSet", "IndexSet",
    "Scanner", "FileHandle", "Pipe", "Process", "UserDefaults", "TimeInterval",
]
