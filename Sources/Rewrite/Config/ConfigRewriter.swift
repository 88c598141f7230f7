import SkeinBasics

/// Format-preserving rewrites of a consumer's config and sample-data files (YAML, JSON, JSON
/// Lines, TOML, .properties, .env, CSV headers).
///
/// Locate, then splice: a format's parser only finds the byte span of each scalar and key; an
/// edit replaces that span and nothing else. The result is parsed again and must hold exactly
/// the intended values, or the edit is refused and reported. A file is never re-serialized.
public struct ConfigRewriter: Sendable {
    public let migration: Migration
    /// Wall-clock time one file may take (tests shorten it).
    var timeBudget = ConfigLimits.timeBudget

    public init(migration: Migration) { self.migration = migration }

    /// An attention line for a file the workspace did not read (too large, binary, a link) that
    /// a config rule names: the rule cannot be applied to it, and that is never silent.
    public func unread(_ file: SkippedFile) -> AttentionItem? {
        guard ConfigFormats.format(for: file.path) != nil,
              migration.changes.contains(where: { ConfigPlanner.rule($0, appliesTo: file.path) }) else { return nil }
        return AttentionItem(SourceLocation(path: file.path, line: 1), "\(file.reason) (a config rule names it); not rewritten")
    }

    /// The edits for one non-Swift text file of a consumer (path relative to the repo root).
    public func rewrite(_ file: SourceFile) -> RewriteResult {
        var result = RewriteResult()
        guard let format = ConfigFormats.format(for: file.path) else { return result }
        var planner = ConfigPlanner(migration: migration, path: file.path, format: format)
        guard planner.mayConcern(file.text) else { return result }
        let bytes = Array(file.text.utf8)
        // A file that may concern the migration but cannot be read is never passed over in
        // silence: a person must look at it.
        func unreadable(_ line: Int, _ why: String) -> RewriteResult {
            result.skipped.append(SkippedFile(path: file.path, reason: "\(why); not rewritten"))
            result.attention.append(AttentionItem(SourceLocation(path: file.path, line: line), "\(why); not rewritten"))
            result.referencesFound += 1
            return result
        }
        guard bytes.count <= format.maximumBytes else {
            return unreadable(1, "larger than \(format.maximumBytes >> 10) KiB (skein's limit for config files)")
        }
        let deadline = ContinuousClock.now + timeBudget
        let documents: [ConfigNode]
        do {
            documents = try format.parse(bytes)
        } catch {
            return unreadable(error.line, error.limit ? error.message : "cannot be parsed: \(error.message)")
        }
        guard ContinuousClock.now < deadline else { return unreadable(1, overTime) }
        planner.plan(documents)
        result.attention = planner.attention
        result.referencesFound = planner.unedited
        result.found = planner.found

        let (text, applied, refused) = ConfigRewriter.splice(bytes, documents, planner.edits, format, deadline: deadline, budget: timeBudget)
        for (edit, reason) in refused {
            result.attention.append(AttentionItem(SourceLocation(path: file.path, line: edit.line), "\(edit.what) not rewritten: \(reason)"))
            result.referencesFound += 1
            for change in edit.changes { result.found[change.summary, default: 0] += 1 }
        }
        for edit in applied {
            result.referencesFound += 1
            for change in edit.changes {
                result.count(change)
                result.found[change.summary, default: 0] += 1
            }
        }
        if let text, !applied.isEmpty {
            result.edits.append(FileEdit(path: file.path, newText: text))
        }
        return result
    }

    /// Applies the edits that keep the file parsing to exactly the intended values: all at once
    /// when they do, else one by one, refusing each that does not.
    static func splice(
        _ bytes: [UInt8], _ documents: [ConfigNode], _ edits: [PlannedEdit], _ format: any ConfigFormat,
        deadline: ContinuousClock.Instant = .now + ConfigLimits.timeBudget, budget: Duration = ConfigLimits.timeBudget
    ) -> (text: String?, applied: [PlannedEdit], refused: [(PlannedEdit, String)]) {
        guard !edits.isEmpty else { return (nil, [], []) }
        let whole = attempt(bytes, documents, edits, format)
        if case .success(let text) = whole {
            return (text, edits, [])
        }
        // Trying edits one by one parses the file once per edit: past a limit, refuse them all.
        if edits.count > ConfigRewriter.oneByOneLimit, case .failure(let problem) = whole {
            return (nil, [], edits.map { ($0, problem.reason) })
        }
        var accepted: [PlannedEdit] = []
        var refused: [(PlannedEdit, String)] = []
        var text: String?
        for edit in edits {
            guard ContinuousClock.now < deadline else {
                refused.append((edit, overTime(budget)))
                continue
            }
            switch attempt(bytes, documents, accepted + [edit], format) {
            case .success(let result):
                accepted.append(edit)
                text = result
            case .failure(let problem):
                refused.append((edit, problem.reason))
            }
        }
        return (text, accepted, refused)
    }

    struct Refusal: Error { var reason: String }

    var overTime: String { ConfigRewriter.overTime(timeBudget) }

    static func overTime(_ budget: Duration) -> String {
        "took longer than \(budget.components.seconds) s (skein's time budget per config file)"
    }

    /// How many edits of one file are retried one by one when they fail together.
    static let oneByOneLimit = 200

    /// Splices a set of edits and checks the result.
    static func attempt(
        _ bytes: [UInt8], _ documents: [ConfigNode], _ edits: [PlannedEdit], _ format: any ConfigFormat
    ) -> Result<String, Refusal> {
        var splices = edits.flatMap(\.splices).sorted { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        // Identical splices (one key written in two places by the same edit) are harmless.
        splices = splices.enumerated().filter { index, splice in
            index == 0 || splice.range != splices[index - 1].range || splice.text != splices[index - 1].text
        }.map(\.element)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        var position = 0
        for splice in splices {
            guard splice.range.lowerBound >= position, splice.range.upperBound <= bytes.count else {
                return .failure(Refusal(reason: "overlaps another edit"))
            }
            output += bytes[position..<splice.range.lowerBound]
            output += Array(splice.text.utf8)
            position = splice.range.upperBound
        }
        output += bytes[position...]
        let reparsed: [ConfigNode]
        do {
            reparsed = try format.parse(output)
        } catch {
            return .failure(Refusal(reason: "the edited file would not parse (\(error))"))
        }
        let expected = ConfigNode.flatten(documents.map { $0.applying(edits.map(\.effect)) })
        let actual = ConfigNode.flatten(reparsed)
        guard expected == actual else {
            let difference = zip(expected, actual).first { $0 != $1 }.map { "expected \($0.0), read \($0.1)" }
                ?? "expected \(expected.count) values, read \(actual.count)"
            return .failure(Refusal(reason: "the edited file would not read back as intended (\(difference))"))
        }
        return .success(String(decoding: output, as: UTF8.self))
    }
}
