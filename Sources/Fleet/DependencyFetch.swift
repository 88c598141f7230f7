import Foundation
import GitKit
import Sandbox
import SkeinBasics

/// Fetches a package's dependencies for its sandbox, which has no network: skein clones each
/// dependency URL with libgit2 (so the machine's git configuration applies, `insteadOf` and all)
/// into a per-fleet cache of bare repositories, and the sandbox resolves from those copies.
///
/// The URLs and pins come from `Package.resolved` (every package of the graph, transitive ones
/// included); without one, from the manifest, evaluated offline inside the sandbox
/// (`swift package dump-package`), which names the direct dependencies only.
struct DependencyFetch {
    /// `<mirrors>/.skein/dependencies`.
    let directory: String

    static let maximumResolvedSize = 4 << 20

    /// A dependency URL and the revisions the package pins of it (none when unpinned).
    struct Dependency: Equatable {
        var url: String
        var revisions: [String]
    }

    /// Fetches what the package at `worktree` depends on and returns the copies for its
    /// policy, or nil when it depends on nothing. Throws, saying which dependency and why, when
    /// one cannot be had.
    func prepare(worktree: String, dumpManifest: () throws -> String) throws -> DependencyMirrors? {
        let dependencies = try Self.dependencies(worktree: worktree, dumpManifest: dumpManifest)
        guard !dependencies.isEmpty else { return nil }
        var mirrors: [DependencyMirrors.Mirror] = []
        for dependency in dependencies {
            let name = try fetch(dependency)
            mirrors.append(DependencyMirrors.Mirror(original: dependency.url, name: name))
        }
        return DependencyMirrors(directory: directory, mirrors: mirrors)
    }

    /// The package's dependencies, from `Package.resolved` or the manifest.
    static func dependencies(worktree: String, dumpManifest: () throws -> String) throws -> [Dependency] {
        let resolved: ConfinedFile.Contents
        do {
            resolved = try ConfinedFile.read(root: worktree, relative: "Package.resolved", limit: maximumResolvedSize)
        } catch {
            throw FleetError("Package.resolved: \(error)")
        }
        if case .file(let data, _) = resolved {
            return try pins(in: data)
        }
        guard case .file(let manifest, _) = try ConfinedFile.read(root: worktree, relative: "Package.swift", limit: 1 << 20),
              TestRunner.declaresDependencies(String(decoding: manifest, as: UTF8.self))
        else { return [] }
        return try manifestDependencies(try dumpManifest())
    }

    /// Pins of `Package.resolved`, versions 1 to 3; local packages (a path) are left to SwiftPM.
    static func pins(in data: Data) throws -> [Dependency] {
        let json: JSONValue
        do {
            json = try JSONValue.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw FleetError("Package.resolved is not valid JSON: \(error)")
        }
        let pins = json["pins"]?.arrayValue ?? json["object"]?["pins"]?.arrayValue ?? []
        var byURL: [String: [String]] = [:]
        var order: [String] = []
        for pin in pins {
            if let kind = pin["kind"]?.stringValue, kind != "remoteSourceControl" { continue }
            guard let url = pin["location"]?.stringValue ?? pin["repositoryURL"]?.stringValue else {
                throw FleetError("Package.resolved: a pin without a location")
            }
            if byURL[url] == nil { order.append(url) }
            if let revision = pin["state"]?["revision"]?.stringValue { byURL[url, default: []].append(revision) }
            else { byURL[url, default: []] += [] }
        }
        return order.map { Dependency(url: $0, revisions: byURL[$0] ?? []) }
    }

    /// Source-control dependencies of a dumped manifest (the formats of SwiftPM 5.6 to 6).
    static func manifestDependencies(_ text: String) throws -> [Dependency] {
        // The dump may follow lines SwiftPM printed first (warnings): the JSON starts at the first `{`.
        guard let start = text.firstIndex(of: "{"), let json = try? JSONValue.parse(String(text[start...])) else {
            throw FleetError("the manifest could not be read offline: `swift package dump-package` printed no JSON")
        }
        var found: [Dependency] = []
        for dependency in json["dependencies"]?.arrayValue ?? [] {
            for entry in dependency["sourceControl"]?.arrayValue ?? [] {
                let remote = entry["location"]?["remote"]?.arrayValue?.first
                guard let url = remote?["urlString"]?.stringValue ?? remote?.stringValue else { continue }
                if !found.contains(where: { $0.url == url }) { found.append(Dependency(url: url, revisions: [])) }
            }
        }
        return found
    }

    /// Clones or updates the copy of one dependency (under a lock: consumers share copies) and
    /// returns its folder name. A copy that already holds every pinned revision is used as it is.
    func fetch(_ dependency: Dependency) throws -> String {
        let name = Self.copyName(dependency.url)
        let path = directory + "/" + name
        let lock = try MirrorLock(path: directory + "/.locks/" + name + ".lock")
        defer { lock.release() }
        let fresh = !FileManager.default.fileExists(atPath: path)
        do {
            let repository = fresh ? try Repository.initialize(path, bare: true) : try Repository.open(path)
            let pinned = dependency.revisions.compactMap(ObjectID.init(hex:))
            if fresh || pinned.isEmpty || !pinned.allSatisfy(repository.contains) {
                try repository.fetch(from: dependency.url, refspecs: ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"])
            }
            if let missing = pinned.first(where: { !repository.contains($0) }) {
                throw FleetError("dependency \(dependency.url): the pinned revision \(missing.hex) is not among what it serves")
            }
        } catch let error as FleetError {
            throw error
        } catch {
            if fresh { try? FileManager.default.removeItem(atPath: path) }
            throw FleetError("dependency \(dependency.url) cannot be fetched: \(error)", transient: true)
        }
        return name
    }

    /// A folder name for a URL: its last component, readable, and a hash of the whole URL.
    static func copyName(_ url: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in url.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var last = Mirror.name(forSource: url).filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        if last.isEmpty || last.hasPrefix(".") { last = "dependency" }
        return String(last.prefix(60)) + "-" + String(hash, radix: 16) + ".git"
    }
}
