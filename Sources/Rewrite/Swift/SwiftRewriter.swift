import SkeinBasics

/// The typed Swift rewrites of one consumer repo (SPEC §3–4): parses the files whose bytes
/// contain a name the migration concerns, indexes their declarations, and applies each rule.
/// Files that do not parse cleanly are never edited and are reported.
public struct SwiftRewriter: Sendable {
    public let migration: Migration

    public init(migration: Migration) {
        self.migration = migration
    }

    /// Rewrites the Swift files of one repo (paths relative to its root, `Package.swift`
    /// included). Returns edits only for files whose text changes.
    public func rewrite(_ files: [SourceFile], compilerIndex: CompilerIndex? = nil) -> RewriteResult {
        var rules = SwiftRules.rules(for: migration)
        guard !rules.isEmpty else { return RewriteResult() }
        // Each file's text is searched once per distinct trigger; a file is relevant when any
        // rule's trigger matches, and only those rules are applied to it.
        let ruleTriggers = rules.map(\.triggers)
        var relevant: [(source: SourceFile, rules: [Int])] = [], others: [SourceFile] = []
        for file in files {
            var matched: [Trigger: Bool] = [:]
            let concerned = ruleTriggers.indices.filter { position in
                ruleTriggers[position].contains { trigger in
                    if let known = matched[trigger] { return known }
                    let found = trigger.matches(file.text)
                    matched[trigger] = found
                    return found
                }
            }
            if concerned.isEmpty { others.append(file) } else { relevant.append((file, concerned)) }
        }
        let index = SymbolIndex(pending: others)
        index.moduleNames = SymbolIndex.moduleNames(of: files)
        let context = RewriteContext(index: index, migration: migration,
                                     compiler: compilerIndex.flatMap { $0.truncated ? nil : CompilerOccurrences($0) })
        var parsed: [(file: SwiftFile, rules: [Int])] = []
        for (source, concerned) in relevant {
            let file = SwiftFile(path: source.path, text: source.text)
            if file.parsesCleanly {
                index.addParsed(file)
                parsed.append((file, concerned))
            } else {
                let problem = file.limitExceeded.map { "not parsed: \($0)" } ?? "does not parse cleanly"
                context.result.skipped.append(SkippedFile(path: file.path, reason: "\(problem); not edited"))
                context.result.attention.append(AttentionItem(SkeinBasics.SourceLocation(path: file.path, line: 1),
                                                              "\(problem); not edited, may reference what the migration changes"))
                context.result.referencesFound += 1
            }
        }
        for position in rules.indices { rules[position].prepare(in: context) }
        for (file, concerned) in parsed {
            PlanProgress.at("rewriting", file.path)
            for position in concerned { rules[position].apply(to: file, in: context) }
        }
        var result = context.result
        result.resolvedBy = context.decisionNotes()
        for (file, _) in parsed {
            if let text = file.editedText() { result.edits.append(FileEdit(path: file.path, newText: text)) }
        }
        result.edits.sort { $0.path < $1.path }
        result.attention.sort()
        return result
    }

    /// The names whose symbols the compiler index should be read for, or none when no rename
    /// that asks the index has a file to look at: then there is no reason to build for it.
    public func compilerIndexNames(_ files: [SourceFile]) -> [String] {
        var names: Set<String> = []
        for rule in SwiftRules.rules(for: migration) {
            let wanted: [String]
            switch rule.change {
            case .renameType(let from, _): wanted = from.split(separator: ".").map(String.init)
            case .renameMember(let type, let from, _, _): wanted = [from] + type.split(separator: ".").map(String.init)
            case .renameField(_, let from, _), .removeField(_, let from): wanted = [from, camelCase(from)]
            default: continue
            }
            guard files.contains(where: { file in rule.triggers.contains { $0.matches(file.text) } }) else { continue }
            names.formUnion(wanted)
        }
        return names.sorted()
    }
}
