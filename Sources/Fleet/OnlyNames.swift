import GitKit
import SkeinBasics

/// `run --only`: every name must be a consumer mirror of the fleet. A typo would otherwise
/// select nothing and read as a clean run (SPEC §5: bad usage, exit 2, nothing changed).
public enum OnlyNames {
    /// Throws an `InputError` naming each unknown name with the close names the fleet has.
    public static func check(_ names: Set<String>, mirrors: String) throws {
        let known = try Mirror.all(in: mirrors).map(\.name)
        let unknown = names.subtracting(known).sorted()
        guard !unknown.isEmpty else { return }
        let lines = unknown.map { name -> String in
            let close = closeNames(to: name, among: known)
            return "`\(name)`" + (close.isEmpty ? "" : " (did you mean \(close.map { "`\($0)`" }.joined(separator: ", "))?)")
        }
        var message = "--only: no consumer " + lines.joined(separator: ", ") + " among the mirrors in \(mirrors)"
        if lines.allSatisfy({ !$0.contains("did you mean") }) {
            let listed = known.sorted().prefix(20)
            message += "; it has: " + (listed.isEmpty ? "none" : listed.joined(separator: ", ")) + (known.count > 20 ? ", ..." : "")
        }
        throw InputError(message)
    }
}
