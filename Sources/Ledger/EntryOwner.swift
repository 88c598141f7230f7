import SkeinBasics

extension LedgerEntry {
    /// The consumer's owning team (`spec.owner` of its `catalog-info.yaml`), kept as the
    /// ledger's `owner` key; nil when the descriptor names none.
    public var owner: String? {
        get { extra["owner"]?.stringValue }
        set { extra["owner"] = newValue.map(JSONValue.string) }
    }

    /// The base's test counts (`base_tests`), beside `tests` after the migration.
    public var baseTests: TestCounts? {
        guard case .object? = extra["base_tests"], let value = extra["base_tests"] else { return nil }
        return TestCounts(
            passed: value["passed"]?.intValue ?? 0, failed: value["failed"]?.intValue ?? 0,
            skipped: value["skipped"]?.intValue ?? 0)
    }
}
