/// Bounds on what skein reads from a consumer's config file. The bytes are hostile: a file
/// nested thousands deep would overflow the stack of a recursive reader, a YAML alias bomb would
/// grow memory exponentially if expanded, and a huge file would stall the run. A file past a
/// limit is left as it is and reported with the limit it broke.
enum ConfigLimits {
    /// Nesting of mappings and sequences (JSON objects and arrays, TOML tables, dotted keys and
    /// inline values, YAML collections, `.properties` key components).
    static let maximumDepth = 128
    /// Size of a file read as structured config. YAML is read through a composer that builds
    /// the whole node graph, so it gets less room.
    static let maximumBytes = 4 << 20
    static let maximumYAMLBytes = 1 << 20
    /// Wall-clock time one file may take, parses and re-parses of its edits included.
    static let timeBudget: Duration = .seconds(10)
    /// Alias uses in one YAML file; each is read as a reference, never expanded.
    static let maximumAliases = 10_000
    /// Values and collections in one file: each located value costs a few hundred bytes, and an
    /// edit reads the file twice more, so this bounds memory where the size alone would not
    /// (4 MiB of `1,` is two million values).
    static let maximumValues = 250_000

    static func valuesError(line: Int) -> ConfigParseError {
        ConfigParseError(line: line, "more than \(maximumValues) values (skein's limit for config files)", limit: true)
    }

    static func depthError(line: Int) -> ConfigParseError {
        ConfigParseError(line: line, "nested deeper than \(maximumDepth) levels (skein's limit for config files)", limit: true)
    }
}
