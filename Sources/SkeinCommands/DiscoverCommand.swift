import ArgumentParser
import Fleet
import Foundation
import Schema
import SkeinBasics

/// `skein discover`: which mirrors consume a dataset, declared or not.
struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Find the consumers of datasets among the mirrors.",
        discussion: """
            Reads each mirror's default branch straight from its object database. A consumer is \
            declared when its catalog-info.yaml depends on resource:<dataset>, and undeclared when \
            its Swift, config or data files reference the dataset's current or previous location, \
            its id or its record type. Empty and unreadable mirrors are listed as skipped.
            """)

    @OptionGroup var fleet: RegistryFleetOptions
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Argument(help: "A dataset of the registry (default: every dataset at the registry's HEAD).") var dataset: String?

    func run() async throws {
        let registry = try Registry(path: fleet.registry.registry)
        let mirrors = try fleet.mirrorsDirectory(registry.settings)
        let (all, errors) = try registry.transitions()
        var transitions = all
        if let dataset {
            if let error = errors.first(where: { $0.path.hasSuffix("/\(dataset).yaml") || $0.path.hasSuffix("/\(dataset).yml") }) {
                throw error
            }
            guard let match = all.first(where: { $0.names.contains(dataset) }) else {
                let known = all.map(\.name).joined(separator: ", ")
                throw InputError("no dataset `\(dataset)` in the registry (it has: \(known.isEmpty ? "none" : known))")
            }
            transitions = [match]
        }
        let report = try await Discovery.discover(mirrors: mirrors, datasets: transitions, jobs: fleet.jobCount(registry.settings))
        if json {
            print(report.json.serialized(pretty: true))
        } else {
            print(DiscoverCommand.table(report, transitions: transitions), terminator: "")
        }
        if dataset == nil, !errors.isEmpty {
            for error in errors { FileHandle.standardError.write(Data("skein: error: \(String(describing: error).terminalSafe)\n".utf8)) }
            throw CommandExit(.badInput)
        }
    }

    static func table(_ report: DiscoveryReport, transitions: [DatasetTransition]) -> String {
        var out = ""
        for (entry, transition) in zip(report.datasets, transitions) {
            let undeclared = entry.consumers.filter { !$0.declared }.count
            let count = entry.consumers.count
            out += "\(entry.dataset) (v\(transition.new.version), \(transition.new.location)): "
            out += "\(count) consumer\(count == 1 ? "" : "s"), \(undeclared) undeclared, of \(report.mirrorCount) mirrors\n"
            if !entry.consumers.isEmpty {
                let width = max(4, entry.consumers.map(\.repo.terminalSafe.count).max() ?? 0)
                out += "  " + "REPO".padding(toLength: width, withPad: " ", startingAt: 0) + "  DECLARED  EVIDENCE\n"
                for consumer in entry.consumers {
                    let shown = consumer.evidence.prefix(4).joined(separator: ", ").terminalSafe
                    let more = consumer.evidence.count > 4 ? " (+\(consumer.evidence.count - 4) more)" : ""
                    out += "  " + consumer.repo.terminalSafe.padding(toLength: width, withPad: " ", startingAt: 0)
                    out += "  " + (consumer.declared ? "yes     " : "no      ") + "  \(shown)\(more)\n"
                }
            }
            for consumer in entry.consumers {
                for problem in consumer.problems { out += "  ! \(consumer.repo.terminalSafe): \(problem.terminalSafe)\n" }
            }
            for skipped in entry.skipped { out += "  skipped \(skipped.repo.terminalSafe): \(skipped.reason.terminalSafe)\n" }
        }
        if report.datasets.isEmpty { out += "the registry has no datasets\n" }
        return out
    }
}
