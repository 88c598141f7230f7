/// TOML (located in a later commit).
struct TOMLFormat: ConfigFormat {
    func parse(_ bytes: [UInt8]) throws(ConfigParseError) -> [ConfigNode] {
        throw ConfigParseError(line: 1, "TOML is not supported yet")
    }
    func encode(_ value: String, kind: ScalarKind, replacing old: ConfigScalar, isKey: Bool) -> String? { nil }
}
