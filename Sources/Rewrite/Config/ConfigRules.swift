/// Every explicit config rule (SPEC §4), by name. A test checks this matches the files of
/// `Rewrite/Config/Rules/`; what a dataset's schema change does to config files (renamed
/// fields, moved locations, bumped versions, a renamed dataset) is the planner's own walk.
enum ConfigRules {
    static let names = ["ConfigSet", "ConfigRenameKey", "ConfigDelete"]
}
