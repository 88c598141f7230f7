import Foundation
import SkeinBasics
import Yams

/// A consumer's Backstage descriptor, `catalog-info.yaml` (SPEC §1): which datasets it
/// declares it depends on.
public enum CatalogInfo {
    /// One `dependsOn` entry naming a resource: `resource:plays`, `resource:default/plays`.
    public struct Dependency: Hashable, Sendable {
        public var dataset: String
        public var namespace: String?
        /// 1-based line of the entry.
        public var line: Int
    }

    /// The largest descriptor read. A real one is a few KB; a consumer's 60 MB one took
    /// discovery most of a minute and most of a GB to parse, for every run.
    public static let maximumBytes = 1 << 20

    /// Why a descriptor of `size` bytes is not read, or nil when it is small enough.
    public static func sizeProblem(_ size: Int, path: String) -> SchemaError? {
        guard size > maximumBytes else { return nil }
        return SchemaError(path: path, line: 0, message: "\(size) bytes, larger than the \(maximumBytes >> 20) MiB skein reads")
    }

    /// Every resource dependency of every document in the descriptor, in order.
    public static func dependencies(_ text: String, path: String) throws(SchemaError) -> [Dependency] {
        if let problem = sizeProblem(text.utf8.count, path: path) { throw problem }
        var result: [Dependency] = []
        for document in try YAMLDocument.composeAll(text, path: path) {
            guard let spec = document.mapping?["spec"], let dependsOn = spec.mapping?["dependsOn"] else { continue }
            let entries: [Node] = dependsOn.sequence.map(Array.init) ?? [dependsOn]
            for entry in entries {
                guard let reference = entry.scalar?.string, let dependency = parse(reference) else { continue }
                result.append(Dependency(dataset: dependency.dataset, namespace: dependency.namespace, line: entry.mark?.line ?? 0))
            }
        }
        return result
    }

    /// The owning team of the component: `spec.owner` of the first document that has one, as
    /// Backstage writes entity references (`group:default/team-charts` and `group:team-charts`
    /// both give `team-charts`; another kind, `user:jdoe`, is kept whole). Nil when no document
    /// names one.
    public static func owner(_ text: String, path: String) throws(SchemaError) -> String? {
        for document in try YAMLDocument.composeAll(text, path: path) {
            guard let owner = document.mapping?["spec"]?.mapping?["owner"]?.scalar?.string else { continue }
            var name = owner.trimmingCharacters(in: .whitespaces)
            if name.lowercased().hasPrefix("group:") { name = String(name.dropFirst("group:".count)) }
            if name.hasPrefix("default/") { name = String(name.dropFirst("default/".count)) }
            if !name.isEmpty { return name }
        }
        return nil
    }

    /// `resource:[namespace/]name` (the kind is case-insensitive, as in Backstage entity
    /// references); nil for a reference to another kind of entity.
    public static func parse(_ reference: String) -> (dataset: String, namespace: String?)? {
        guard let colon = reference.firstIndex(of: ":"),
              reference[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "resource"
        else { return nil }
        let target = reference[reference.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if let slash = target.firstIndex(of: "/") {
            let name = String(target[target.index(after: slash)...])
            return name.isEmpty ? nil : (name, String(target[..<slash]))
        }
        return target.isEmpty ? nil : (target, nil)
    }
}
