import ArgumentParser
import Fleet
import Foundation
import Schema
import SkeinBasics

/// `--mirrors DIR` for commands that work on an existing mirrors directory, checked once.
struct MirrorsOption: ParsableArguments {
    @Option(help: "The mirrors directory.") var mirrors: String

    /// The directory, which must exist (bad input otherwise: nothing is changed).
    func existing() throws -> String {
        guard FileManager.default.fileExists(atPath: mirrors) else { throw InputError("\(mirrors): no such mirrors directory") }
        return mirrors
    }
}

/// `--jobs N`: how many repos a command works on at once; one default and one check for every
/// command that takes it.
struct JobsOption: ParsableArguments {
    static let standard = 4

    @Option(help: "Repos handled at once (default: \(JobsOption.standard)).") var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    /// The given count, else `fallback` (a registry setting), else the standard count.
    func count(_ fallback: Int? = nil) -> Int { jobs ?? fallback ?? Self.standard }
}

/// `--registry REPO`: the schema registry, a working copy or a bare repo.
struct RegistryOption: ParsableArguments {
    @Option(help: "The schema registry (a working copy or a bare repo).") var registry: String

    /// The registry's absolute path; it must be a git repository.
    func existing() throws -> String {
        try Inputs.repository(registry, role: "registry")
    }
}

/// What `run` and `discover` take: a registry, the mirrors (default: the registry's
/// skein.yaml `mirrors:`) and `--jobs` (default: its `jobs:`).
struct RegistryFleetOptions: ParsableArguments {
    @OptionGroup var registry: RegistryOption
    @Option(help: "The mirrors directory (default: `mirrors:` of the registry's skein.yaml).") var mirrors: String?
    @OptionGroup var jobs: JobsOption

    /// The mirrors directory, which must exist.
    func mirrorsDirectory(_ settings: RegistrySettings) throws -> String {
        guard let mirrors = mirrors ?? settings.mirrors else {
            throw InputError("no mirrors directory: pass --mirrors DIR or set `mirrors:` in the registry's skein.yaml")
        }
        guard FileManager.default.fileExists(atPath: mirrors) else { throw InputError("\(mirrors): no such mirrors directory") }
        return mirrors
    }

    func jobCount(_ settings: RegistrySettings) -> Int { jobs.count(settings.jobs.map { max($0, 1) }) }
}
