import Foundation
import GitKit
import Schema
import SkeinBasics

/// A consumer repo of a dataset (or of a migration), found in a mirror.
public struct Consumer: Sendable, Hashable {
    /// The mirror's name (its folder name without `.git`).
    public var repo: String
    /// The bare mirror's path.
    public var mirrorPath: String
    /// The commit of the default branch the discovery read.
    public var base: ObjectID
    /// The default branch, as a reference name (`refs/heads/main`).
    public var defaultBranch: String
    /// True when its `catalog-info.yaml` declares the dependency.
    public var declared: Bool
    /// Where it references the dataset, as `path:line` (the descriptor's line first).
    public var evidence: [String]
    /// What discovery could not read (`catalog-info.yaml:3: ...`), so `declared` may be wrong.
    public var problems: [String]
    /// The owning team: `spec.owner` of its `catalog-info.yaml`, when it names one.
    public var owner: String?

    public init(
        repo: String, mirrorPath: String, base: ObjectID, defaultBranch: String, declared: Bool, evidence: [String],
        problems: [String] = [], owner: String? = nil
    ) {
        self.repo = repo
        self.mirrorPath = mirrorPath
        self.base = base
        self.defaultBranch = defaultBranch
        self.declared = declared
        self.evidence = evidence
        self.problems = problems
        self.owner = owner
    }
}

/// A mirror discovery could not read, and why.
public struct SkippedMirror: Sendable, Hashable {
    public var repo: String
    public var reason: String
    public init(repo: String, reason: String) {
        self.repo = repo
        self.reason = reason
    }
}

/// The consumers of each dataset discovery was asked about.
public struct DiscoveryReport: Sendable {
    public struct Entry: Sendable {
        public var dataset: String
        public var consumers: [Consumer]
        /// Mirrors that could not be read (the same for every dataset).
        public var skipped: [SkippedMirror]
    }

    public var datasets: [Entry]
    /// How many mirrors were looked at.
    public var mirrorCount: Int

    /// The report as `skein discover --json` prints it (SPEC §5).
    public var json: JSONValue {
        .object([("datasets", .array(datasets.map { entry in
            .object([
                ("dataset", .string(entry.dataset)),
                ("consumers", .array(entry.consumers.map { consumer in
                    .object([
                        ("repo", .string(consumer.repo)),
                        ("declared", .bool(consumer.declared)),
                        ("evidence", .array(consumer.evidence.map(JSONValue.string))),
                        ("base", .string(consumer.base.hex)),
                    ] + (consumer.owner.map { [("owner", .string($0))] } ?? []) + (consumer.problems.isEmpty ? [] : [("problems", .array(consumer.problems.map(JSONValue.string)))]))
                })),
                ("skipped", .array(entry.skipped.map { .object([("repo", .string($0.repo)), ("reason", .string($0.reason))]) })),
            ])
        }))])
    }
}

/// Finds the consumers of datasets among the mirrors, reading each mirror's default branch
/// straight from its object database. Declared consumers name the dataset in
/// `catalog-info.yaml`; undeclared ones reference its location, id or record type in their
/// Swift, config or data files. Mirrors are read in parallel, one repository handle per job;
/// an empty or broken mirror is skipped with its reason and never stops the others.
public enum Discovery {
    /// Why an empty mirror is passed over: it holds nothing to migrate, so it is no failure.
    public static let emptyMirrorReason = "empty repository (no commits)"

    /// At most this many `path:line` entries per consumer and dataset.
    static let evidenceLimit = 50
    /// Files larger than this are not read (generated data, binaries checked in by mistake).
    static let largestFile = 16 << 20
    static let descriptorNames = ["catalog-info.yaml", "catalog-info.yml"]

    /// The consumers of each dataset, in the order given.
    public static func discover(mirrors: String, datasets: [DatasetTransition], jobs: Int) async throws -> DiscoveryReport {
        let needles = datasets.map(DatasetNeedles.init)
        let (scans, count) = try await scan(mirrors: mirrors, needles: needles, jobs: jobs)
        let skipped = scans.compactMap { scan -> SkippedMirror? in
            if case .skipped(let mirror) = scan { mirror } else { nil }
        }
        var entries: [DiscoveryReport.Entry] = []
        for (index, transition) in datasets.enumerated() {
            var consumers: [Consumer] = [], unreadable: [SkippedMirror] = []
            for case .read(let read) in scans {
                guard let found = read.findings[index] else { continue }
                if let consumer = read.consumer(found) { consumers.append(consumer) } else { unreadable.append(read.skipped(found)) }
            }
            entries.append(.init(dataset: transition.name, consumers: consumers, skipped: skipped + unreadable))
        }
        return DiscoveryReport(datasets: entries, mirrorCount: count)
    }

    /// The consumers a migration applies to: of every dataset it concerns, merged per repo
    /// (declared when any of them is declared). A migration for `all` datasets applies to
    /// every mirror with commits.
    public static func consumers(
        of migration: Migration, mirrors: String, jobs: Int
    ) async throws -> (consumers: [Consumer], skipped: [(repo: String, reason: String)]) {
        var needles: [DatasetNeedles]
        if migration.appliesToWholeFleet {
            needles = []
        } else if migration.transitions.isEmpty {
            needles = migration.datasets.map { DatasetNeedles(names: [$0], locations: [], record: nil) }
        } else {
            needles = migration.transitions.map(DatasetNeedles.init)
        }
        let (scans, _) = try await scan(mirrors: mirrors, needles: needles, jobs: jobs)
        var consumers: [Consumer] = []
        var skipped: [(repo: String, reason: String)] = []
        for scan in scans {
            switch scan {
            case .skipped(let mirror):
                skipped.append((mirror.repo, mirror.reason))
            case .read(let read):
                if migration.appliesToWholeFleet {
                    consumers.append(read.consumer(declared: true, evidence: []))
                    continue
                }
                let findings = read.findings.sorted { $0.key < $1.key }.map(\.value)
                guard !findings.isEmpty else { continue }
                var merged = Finding()
                for found in findings {
                    merged.declared = merged.declared || found.declared
                    for item in found.evidence where !merged.evidence.contains(item) { merged.evidence.append(item) }
                    for item in found.problems where !merged.problems.contains(item) { merged.problems.append(item) }
                }
                if let consumer = read.consumer(merged) {
                    consumers.append(consumer)
                } else {
                    let mirror = read.skipped(merged)
                    skipped.append((mirror.repo, mirror.reason))
                }
            }
        }
        return (consumers, skipped)
    }

    // MARK: - Reading mirrors

    struct Finding: Sendable {
        var declared = false
        var evidence: [String] = []
        /// A descriptor that names the dataset but could not be read.
        var problems: [String] = []
    }

    struct MirrorRead: Sendable {
        var mirror: Mirror
        var base: ObjectID
        var branch: String
        /// By index into the needles; only datasets it references.
        var findings: [Int: Finding]
        /// `spec.owner` of its descriptor, read only for a mirror that is a consumer.
        var owner: String? = nil

        func consumer(declared: Bool, evidence: [String], problems: [String] = []) -> Consumer {
            Consumer(
                repo: mirror.name, mirrorPath: mirror.path, base: base, defaultBranch: branch, declared: declared,
                evidence: evidence, problems: problems, owner: owner)
        }

        /// The consumer a finding makes, or nil when all there is, is a descriptor that names
        /// the dataset but cannot be read: then nothing says whether it is a consumer.
        func consumer(_ found: Finding) -> Consumer? {
            guard found.declared || !found.evidence.isEmpty else { return nil }
            return consumer(declared: found.declared, evidence: found.evidence, problems: found.problems)
        }

        func skipped(_ found: Finding) -> SkippedMirror {
            SkippedMirror(repo: mirror.name, reason: found.problems.joined(separator: "; "))
        }
    }

    enum MirrorScan: Sendable {
        case read(MirrorRead)
        case skipped(SkippedMirror)
    }

    static func scan(mirrors: String, needles: [DatasetNeedles], jobs: Int) async throws -> ([MirrorScan], Int) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: mirrors, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("\(mirrors): no such mirrors directory")
        }
        let all = try Mirror.all(in: mirrors)
        let scans = await concurrentMap(all, limit: max(1, jobs)) { mirror in
            scanMirror(mirror, needles: needles)
        }
        return (scans, all.count)
    }

    /// Reads one mirror: its default branch, its descriptor, then every Swift, config and data
    /// file, byte-searched for each dataset.
    static func scanMirror(_ mirror: Mirror, needles: [DatasetNeedles]) -> MirrorScan {
        do {
            let repository: Repository
            do {
                repository = try Repository.open(mirror.path)
            } catch {
                return .skipped(SkippedMirror(repo: mirror.name, reason: "cannot open the mirror: \(error.message)"))
            }
            if repository.isHeadUnborn, (try? repository.references(matching: "refs/heads/*").isEmpty) ?? true {
                return .skipped(SkippedMirror(repo: mirror.name, reason: Discovery.emptyMirrorReason))
            }
            let branch: (name: String, commit: ObjectID)
            do {
                branch = try repository.defaultBranch()
            } catch {
                return .skipped(SkippedMirror(repo: mirror.name, reason: "no default branch: \(error.message)"))
            }
            var findings: [Int: Finding] = [:]
            guard !needles.isEmpty else {
                let descriptor = descriptorNames.lazy.compactMap { try? repository.entry(at: $0, in: branch.commit) }.first
                let owner = descriptorOwner(descriptor?.blob, in: repository)
                return .read(MirrorRead(mirror: mirror, base: branch.commit, branch: branch.name, findings: [:], owner: owner))
            }
            let entries = try repository.files(in: branch.commit)
            var descriptor: ObjectID?
            for entry in entries where entry.kind == .file || entry.kind == .executable {
                if descriptorNames.contains(entry.path) {
                    descriptor = descriptor ?? entry.blob
                    try readDescriptor(entry, in: repository, needles: needles, findings: &findings)
                    continue
                }
                guard let flavor = FileFlavor(path: entry.path) else { continue }
                try repository.withBlobBytes(entry.blob) { bytes in
                    guard bytes.count <= largestFile else { return }
                    for (index, needle) in needles.enumerated() {
                        let lines = Matcher.lines(in: bytes, flavor: flavor, needles: needle)
                        guard !lines.isEmpty else { continue }
                        var finding = findings[index] ?? Finding()
                        for line in lines where finding.evidence.count < evidenceLimit {
                            finding.evidence.append("\(entry.path):\(line)")
                        }
                        findings[index] = finding
                    }
                }
            }
            let owner = findings.isEmpty ? nil : descriptorOwner(descriptor, in: repository)
            return .read(MirrorRead(mirror: mirror, base: branch.commit, branch: branch.name, findings: findings, owner: owner))
        } catch let error as GitError {
            return .skipped(SkippedMirror(repo: mirror.name, reason: "cannot read the mirror: \(error.message)"))
        } catch {
            return .skipped(SkippedMirror(repo: mirror.name, reason: "cannot read the mirror: \(error)"))
        }
    }

    /// The owning team named in a descriptor blob, if any. A descriptor that is too large or
    /// not valid YAML names no owner; its problems are reported where its dependencies are read.
    static func descriptorOwner(_ blob: ObjectID?, in repository: Repository) -> String? {
        guard let blob else { return nil }
        let text: String? = try? repository.withBlobBytes(blob) { bytes in
            bytes.count <= descriptorLimit && Matcher.contains(bytes, BytePattern("owner"))
                ? String(decoding: bytes, as: UTF8.self) : nil
        }
        return text.flatMap { try? CatalogInfo.owner($0, path: descriptorNames[0]) } ?? nil
    }

    /// Descriptors larger than this name no owner: a Backstage descriptor is a few hundred bytes.
    static let descriptorLimit = 1 << 20

    /// Parses the descriptor only when it mentions one of the datasets' names. A descriptor
    /// that is not valid YAML declares nothing; it is reported (file:line) for each dataset it
    /// names, and the reference search still runs.
    static func readDescriptor(
        _ entry: TreeEntry, in repository: Repository, needles: [DatasetNeedles], findings: inout [Int: Finding]
    ) throws {
        var mentioned: [Int] = []
        var oversize: SchemaError?
        let text: String? = try repository.withBlobBytes(entry.blob) { bytes in
            mentioned = needles.indices.filter { needles[$0].namePatterns.contains { Matcher.contains(bytes, $0) } }
            // Too large to parse: reported without copying it.
            oversize = CatalogInfo.sizeProblem(bytes.count, path: entry.path)
            return mentioned.isEmpty || oversize != nil ? nil : String(decoding: bytes, as: UTF8.self)
        }
        if let oversize {
            for index in mentioned {
                findings[index, default: Finding()].problems.append("\(oversize); its dependencies are not read")
            }
            return
        }
        guard let text else { return }
        let dependencies: [CatalogInfo.Dependency]
        do {
            dependencies = try CatalogInfo.dependencies(text, path: entry.path)
        } catch {
            for index in mentioned {
                findings[index, default: Finding()].problems.append("\(error); its dependencies are not read")
            }
            return
        }
        for (index, needle) in needles.enumerated() {
            let lines = dependencies.filter { needle.names.contains($0.dataset) }.map(\.line)
            guard !lines.isEmpty else { continue }
            var finding = findings[index] ?? Finding()
            finding.declared = true
            finding.evidence.insert(contentsOf: lines.map { "\(entry.path):\($0)" }, at: 0)
            findings[index] = finding
        }
    }
}
