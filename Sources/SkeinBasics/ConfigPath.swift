/// A config rule's `path` (SPEC section 4): keys separated by dots, a key that itself holds a
/// dot written quoted (`a."b.c"`, `'b.c'` or `"b\"c"`). The rule file may also give the keys
/// as a list; they are joined into this one spelling so a `Change` stays plain text.
public enum ConfigPath {
    /// The keys a path names, or nil when it is malformed (an empty unquoted key, an
    /// unterminated quote, text right after a closing quote).
    public static func keys(_ path: String) -> [String]? {
        var keys: [String] = []
        var scalars = Array(path.unicodeScalars)[...]
        while true {
            var key = ""
            if let quote = scalars.first, quote == "\"" || quote == "'" {
                scalars = scalars.dropFirst()
                var closed = false
                while let scalar = scalars.popFirst() {
                    if scalar == quote { closed = true; break }
                    if quote == "\"", scalar == "\\", let escaped = scalars.popFirst() {
                        key.unicodeScalars.append(escaped)
                        continue
                    }
                    key.unicodeScalars.append(scalar)
                }
                guard closed, scalars.isEmpty || scalars.first == "." else { return nil }
            } else {
                while let scalar = scalars.first, scalar != "." {
                    key.unicodeScalars.append(scalar)
                    scalars = scalars.dropFirst()
                }
                guard !key.isEmpty else { return nil }
            }
            keys.append(key)
            guard scalars.popFirst() != nil else { return keys }
            guard !scalars.isEmpty else { return nil }  // a trailing dot
        }
    }

    /// The path that names these keys, quoting a key only where it must be.
    public static func path(_ keys: [String]) -> String {
        keys.map { key in
            let plain = !key.isEmpty && !key.contains(".") && !key.hasPrefix("\"") && !key.hasPrefix("'")
            guard !plain else { return key }
            return "\"" + key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ".")
    }
}
