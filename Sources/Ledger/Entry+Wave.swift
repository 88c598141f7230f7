import SkeinBasics

extension LedgerEntry {
    /// The rollout wave (numbered from 1) the consumer was migrated in, when the migration
    /// rolled out in waves (SPEC §7); recorded as `wave` on the line.
    public var wave: Int? {
        get { extra["wave"]?.intValue }
        set { extra["wave"] = newValue.map(JSONValue.int) }
    }
}
