import Foundation
@testable import Rewrite
import SkeinBasics
import Testing

/// SplitMix64: a seeded generator, so a failing case reproduces from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random documents of each format, written the many ways people write them.
struct RandomDocuments {
    var random: SeededGenerator

    mutating func pick<T>(_ choices: [T]) -> T { choices.randomElement(using: &random)! }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
    mutating func count(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    static let keyPool = ["name", "location", "version", "café", "ключ", "a-b", "x_1", "datasets", "plays", "ms", "über", "k"]
    /// New values an edit writes: quotes, colons, hashes, unicode, things that look like numbers.
    static let tricky = ["gs://listening-data/plays/v2", "it's", "say \"hi\"", "a: b", "#not a comment", "naïve",
                         "123", "true", "null", "", " padded ", "- dash", "[x]", "tab\there", "line\nbreak", "back\\slash",
                         "plain", "日本語", "50%", "{a}", "x,y"]

    mutating func keys(_ n: Int) -> [String] { Array(Self.keyPool.shuffled(using: &random).prefix(n)) }

    // MARK: YAML

    mutating func yamlScalar(flow: Bool) -> String {
        switch count(0...9) {
        case 0: return pick(["alpha", "gs://bucket/x/y", "café au lait", "v1.2"])
        case 1: return String(count(-5...500))
        case 2: return pick(["true", "false", "null", "~", "3.25"])
        case 3: return pick(["'it''s'", "'a: b'", "'#x'", "''"])
        case 4: return pick(["\"tab\\tx\"", "\"quote \\\" here\"", "\"\\u00e9t\\u00e9\"", "\"plain\"", "\"ünï\""])
        case 5: return pick(["&anchor value", "!!str 42"])
        default: return flow ? pick(["beta", "gamma delta", "42"]) : pick(["beta", "gamma delta", "x: y is quoted? no", "42"]).replacingOccurrences(of: "x: y is quoted? no", with: "'x: y'")
        }
    }

    mutating func yamlMapping(indent: Int, depth: Int) -> [String] {
        var lines: [String] = []
        let pad = String(repeating: " ", count: indent)
        for key in keys(count(1...4)) {
            if chance(15) { lines.append(chance(50) ? "" : pad + "# a comment — ü") }
            let keyText = chance(20) ? "'\(key)'" : (chance(10) ? "\"\(key)\"" : key)
            let comment = chance(25) ? "   # note" : ""
            switch depth < 3 ? count(0...5) : 0 {
            case 1:
                lines.append(pad + keyText + ":" + comment)
                lines += yamlMapping(indent: indent + 2, depth: depth + 1)
            case 2:
                lines.append(pad + keyText + ":")
                for _ in 0..<count(1...3) { lines.append(pad + "  - " + yamlScalar(flow: false)) }
            case 3:
                let items = (0..<count(0...3)).map { _ in yamlScalar(flow: true) }.filter { !$0.hasPrefix("&") && !$0.hasPrefix("!") }
                lines.append(pad + keyText + ": [" + items.joined(separator: ", ") + "]" + comment)
            case 4:
                let pairs = keys(count(1...3)).map { "\($0): \(yamlScalar(flow: true))" }.filter { !$0.contains("&") && !$0.contains("!!") }
                lines.append(pad + keyText + ": {" + pairs.joined(separator: ", ") + "}" + comment)
            default:
                lines.append(pad + keyText + ": " + yamlScalar(flow: false) + comment)
            }
        }
        return lines
    }

    mutating func yaml() -> String {
        var documents: [String] = []
        for _ in 0..<count(1...2) {
            documents.append(yamlMapping(indent: 0, depth: 0).joined(separator: "\n"))
        }
        return finish(documents.joined(separator: "\n---\n"))
    }

    // MARK: JSON

    mutating func jsonSpace() -> String { pick(["", " ", "  ", "\n  ", "\t"]) }

    mutating func jsonValue(depth: Int) -> String {
        switch depth < 3 ? count(0...7) : count(0...4) {
        case 0: return pick(["\"alpha\"", "\"gs:\\/\\/bucket\\/x\"", "\"\\u00e9t\\u00e9\"", "\"quote \\\" \\\\ here\"", "\"ünï\"", "\"\""])
        case 1: return pick(["0", "-12", "3.25", "1e5", "42"])
        case 2: return pick(["true", "false", "null"])
        case 3, 4: return "\"" + pick(["beta", "x y", "plays_v1"]) + "\""
        case 5:
            let items = (0..<count(0...3)).map { _ in jsonSpace() + jsonValue(depth: depth + 1) + jsonSpace() }
            return "[" + items.joined(separator: ",") + "]"
        default:
            return jsonObject(depth: depth + 1)
        }
    }

    mutating func jsonObject(depth: Int) -> String {
        let members = keys(count(0...4)).map { jsonSpace() + JSONFormat.quoted($0) + jsonSpace() + ":" + jsonSpace() + jsonValue(depth: depth) + jsonSpace() }
        return "{" + members.joined(separator: ",") + "}"
    }

    mutating func json() -> String { finish(jsonSpace() + jsonObject(depth: 0) + pick(["", "\n"])) }

    // MARK: TOML

    mutating func tomlKey(_ key: String) -> String {
        let bare = key.unicodeScalars.allSatisfy(TOMLLocator.isBareKey)
        return bare && !chance(15) ? key : (chance(50) ? "\"\(key)\"" : "'\(key)'")
    }

    mutating func tomlValue(depth: Int) -> String {
        switch depth < 2 ? count(0...7) : count(0...4) {
        case 0: return pick(["\"alpha\"", "\"tab\\tx\"", "\"\\u00e9t\\u00e9\"", "\"quote \\\" here\"", "\"ünï\""])
        case 1: return pick(["'literal \\ path'", "'gs://bucket/x'", "''"])
        case 2: return pick(["0", "-12", "1_000", "3.25", "1e5", "0x1F"])
        case 3: return pick(["true", "false", "1979-05-27", "1979-05-27T07:32:00Z"])
        case 4: return pick(["\"\"\"multi\nline\"\"\"", "\"beta\""])
        case 5:
            let items = (0..<count(0...3)).map { _ in tomlValue(depth: depth + 1) }
            return chance(50) || items.isEmpty ? "[" + items.joined(separator: ", ") + "]" : "[\n  " + items.joined(separator: ",\n  ") + ",  # trailing\n]"
        default:
            let pairs = keys(count(0...3)).map { tomlKey($0) + " = " + tomlValue(depth: depth + 1) }
            return "{ " + pairs.joined(separator: ", ") + " }"
        }
    }

    mutating func toml() -> String {
        var lines: [String] = []
        var used = Set<String>()
        func entries(_ lines: inout [String], _ generator: inout RandomDocuments) {
            var local = Set<String>()
            for key in generator.keys(generator.count(1...4)) where !local.contains(key) {
                local.insert(key)
                let comment = generator.chance(25) ? "  # note" : ""
                lines.append(generator.tomlKey(key) + " = " + generator.tomlValue(depth: 0) + comment)
            }
        }
        entries(&lines, &self)
        for _ in 0..<count(0...3) {
            let name = pick(["server", "inputs.plays", "owner", "a.\"b c\""])
            guard !used.contains(name) else { continue }
            used.insert(name)
            lines.append(chance(30) ? "" : "# section")
            lines.append(chance(30) && !name.contains(".") ? "[[\(name)s]]" : "[\(name)]")
            entries(&lines, &self)
        }
        return finish(lines.joined(separator: "\n"))
    }

    // MARK: Properties and .env

    mutating func properties() -> String {
        var lines: [String] = []
        for key in keys(count(1...5)) {
            if chance(20) { lines.append(pick(["# comment", "! bang comment", ""])) }
            let value = pick(["gs\\://bucket/x", "plain value", "caf\\u00e9", "", "a=b", "ünï"])
            lines.append("app." + key.filter { $0 != "-" } + pick(["=", " = ", ": ", " "]) + value)
        }
        return finish(lines.joined(separator: "\n"))
    }

    mutating func env() -> String {
        var lines: [String] = []
        for key in ["NAME", "LOCATION", "VERSION", "PLAYS_TABLE", "X_1"].shuffled(using: &random).prefix(count(1...5)) {
            if chance(20) { lines.append(pick(["# comment", ""])) }
            let value = pick(["\"quoted value\"", "'single'", "bare", "gs://bucket/x", "\"\"", "ünï"])
            lines.append((chance(20) ? "export " : "") + key + "=" + value + (chance(20) ? " # note" : ""))
        }
        return finish(lines.joined(separator: "\n"))
    }

    mutating func csv() -> String {
        let header = keys(count(1...5)).map { key -> String in
            switch count(0...3) {
            case 0: return "\"" + key + "\""
            case 1: return "\"" + key + ", \"\"quoted\"\"\""
            default: return key
            }
        }
        let rows = (0..<count(0...3)).map { _ in header.map { _ in pick(["1", "x", "\"a,b\"", ""]) }.joined(separator: ",") }
        return finish(([header.joined(separator: ",")] + rows).joined(separator: "\n"))
    }

    /// Line ends, a final newline and a byte order mark, each at random.
    mutating func finish(_ text: String) -> String {
        var text = text
        if chance(70) { text += "\n" }
        if chance(25) { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
        if chance(10) { text = "\u{FEFF}" + text }
        return text
    }
}

/// A property of every format: random documents, random edits of located scalars and keys; every
/// byte outside the edited spans stays, and the result parses to exactly the intended values.
@Suite struct ConfigPropertyTests {
    static let formats: [(String, String)] = [("yaml", "x.yaml"), ("json", "x.json"), ("toml", "x.toml"),
                                              ("properties", "x.properties"), ("env", ".env"), ("csv", "x.csv")]

    @Test(arguments: formats.map(\.0))
    func randomEditsKeepEveryOtherByte(_ name: String) throws {
        let path = Self.formats.first { $0.0 == name }!.1
        let format = ConfigFormats.format(for: path)!
        var applied = 0
        for seed in UInt64(1)...300 {
            var documents = RandomDocuments(random: SeededGenerator(seed: seed &* 7919 &+ UInt64(name.utf8.count)))
            let text: String
            switch name {
            case "yaml": text = documents.yaml()
            case "json": text = documents.json()
            case "toml": text = documents.toml()
            case "properties": text = documents.properties()
            case "csv": text = documents.csv()
            default: text = documents.env()
            }
            let bytes = Array(text.utf8)
            let parsed: [ConfigNode]
            do {
                parsed = try format.parse(bytes)
            } catch {
                Issue.record("seed \(seed): generated \(name) does not parse (\(error)):\n\(text)")
                continue
            }
            let edits = randomEdits(parsed, format, &documents)
            guard !edits.isEmpty else { continue }
            let (output, accepted, refused) = ConfigRewriter.splice(bytes, parsed, edits, format)
            #expect(refused.isEmpty, "seed \(seed): \(refused.map { "\($0.0.what): \($0.1)" }) in\n\(text)")
            guard let output, refused.isEmpty else { continue }
            applied += accepted.count
            // Every byte outside the edited spans is unchanged.
            let splices = accepted.flatMap(\.splices).sorted { $0.range.lowerBound < $1.range.lowerBound }
            let out = Array(output.utf8)
            var inputPosition = 0, outputPosition = 0
            for splice in splices {
                let kept = bytes[inputPosition..<splice.range.lowerBound]
                #expect(Array(out[outputPosition..<min(out.count, outputPosition + kept.count)]) == Array(kept), "seed \(seed)")
                outputPosition += kept.count + splice.text.utf8.count
                inputPosition = splice.range.upperBound
            }
            #expect(Array(out[min(outputPosition, out.count)...]) == Array(bytes[inputPosition...]), "seed \(seed)")
            // And it parses to exactly the intended values.
            let reparsed = try format.parse(out)
            #expect(ConfigNode.flatten(reparsed) == ConfigNode.flatten(parsed.map { $0.applying(accepted.map(\.effect)) }), "seed \(seed)")
        }
        #expect(applied > 100, "only \(applied) edits applied")
    }

    /// Up to three edits: new values for scalars, new names for keys.
    func randomEdits(_ documents: [ConfigNode], _ format: any ConfigFormat, _ random: inout RandomDocuments) -> [PlannedEdit] {
        var candidates: [(ConfigScalar, isKey: Bool, siblings: Set<String>)] = []
        func collect(_ node: ConfigNode) {
            switch node {
            case .scalar(let scalar): candidates.append((scalar, false, []))
            case .sequence(let sequence): sequence.items.forEach(collect)
            case .mapping(let mapping):
                let names = Set(mapping.entries.map(\.key.value))
                for entry in mapping.entries {
                    candidates.append((entry.key, true, names))
                    collect(entry.value)
                }
            }
        }
        documents.forEach(collect)
        var edits: [PlannedEdit] = []
        var seen = Set<Int>()
        var newNames = Set<String>()
        for (scalar, isKey, siblings) in candidates.shuffled(using: &random.random).prefix(3) {
            guard scalar.refusal == nil, !scalar.spans.isEmpty, seen.insert(scalar.id).inserted else { continue }
            if isKey {
                let name = random.pick(RandomDocuments.tricky.filter { !$0.isEmpty }) + (random.chance(50) ? "" : "2")
                guard !siblings.contains(name), newNames.insert(name).inserted, let text = format.encode(name, kind: .string, replacing: scalar, isKey: true) else { continue }
                edits.append(PlannedEdit(splices: scalar.spans.map { ($0, text) }, effect: .renameKey(id: scalar.id, to: name),
                                         changes: [], line: scalar.line, what: "key \(scalar.value.debugDescription) → \(name.debugDescription)"))
            } else {
                let (value, kind): (String, ScalarKind)
                switch scalar.kind {
                case .string: (value, kind) = (random.pick(RandomDocuments.tricky), .string)
                case .integer: (value, kind) = (String(random.count(0...99_999)), .integer)
                case .bool: (value, kind) = (scalar.value == "true" ? "false" : "true", .bool)
                default: continue
                }
                guard let text = format.encode(value, kind: kind, replacing: scalar, isKey: false) else { continue }
                edits.append(PlannedEdit(splices: scalar.spans.map { ($0, text) }, effect: .setValue(id: scalar.id, value: value, kind: kind),
                                         changes: [], line: scalar.line, what: "value \(scalar.value.debugDescription) → \(value.debugDescription)"))
            }
        }
        return edits
    }
}
