import SkeinBasics

/// What `swift test` printed, read back: XCTest's `Test Case '…' passed` lines and Swift
/// Testing's `✔ Test …() passed` lines, and the compiler's `path:line:col: error:` lines.
struct TestOutput: Sendable, Equatable {
    var passed = 0
    var failed = 0
    var skipped = 0
    var failingTests: [String] = []
    /// A test that started and never ended: the one that crashed the test process.
    var unfinishedTest: String?
    /// Whether any test framework started running tests.
    var testsStarted = false
    var compilerErrors: [AttentionItem] = []
    /// `error: …` lines that name no file (manifest, linker, resolution).
    var otherErrors: [String] = []

    /// Parses `text`; paths under `packageRoot` become relative to it.
    init(parsing text: Substring, packageRoot: String) {
        var started: [String] = []
        var seenErrors = Set<AttentionItem>()
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.hasPrefix("Test Suite '") && line.contains("' started") {
                testsStarted = true
            } else if line.hasPrefix("Test Case '") {
                testsStarted = true
                guard let close = line.dropFirst(11).firstIndex(of: "'") else { continue }
                let name = Self.xctestName(String(line[line.index(line.startIndex, offsetBy: 11)..<close]))
                let verdict = line[line.index(after: close)...]
                if verdict.hasPrefix(" started") {
                    started.append(name)
                } else {
                    started.removeAll { $0 == name }
                    if verdict.hasPrefix(" passed") { passed += 1 }
                    else if verdict.hasPrefix(" failed") { record(failure: name) }
                    else if verdict.hasPrefix(" skipped") { skipped += 1 }
                }
            } else if let event = Self.swiftTestingEvent(line) {
                testsStarted = true
                switch event {
                case .runStarted: break
                case .started(let name): started.append(name)
                case .passed(let name): passed += 1; started.removeAll { $0 == name }
                case .failed(let name): record(failure: name); started.removeAll { $0 == name }
                case .skipped: skipped += 1
                }
            } else if !testsStarted, let item = Self.compilerError(line, packageRoot: packageRoot) {
                if seenErrors.insert(item).inserted { compilerErrors.append(item) }
            } else if !testsStarted, line.hasPrefix("error: ") {
                let message = String(line.dropFirst(7))
                if !otherErrors.contains(message) { otherErrors.append(message) }
            }
        }
        unfinishedTest = started.last
    }

    private mutating func record(failure name: String) {
        failed += 1
        if !failingTests.contains(name) { failingTests.append(name) }
    }

    /// `Module.Class.testName` on Linux; `-[Module.Class testName]` on Darwin.
    static func xctestName(_ raw: String) -> String {
        if raw.hasPrefix("-["), raw.hasSuffix("]") {
            return raw.dropFirst(2).dropLast().replacingOccurrences(of: " ", with: ".")
        }
        return raw
    }

    enum SwiftTestingEvent: Equatable {
        case runStarted, started(String), passed(String), failed(String), skipped(String)
    }

    /// One line of Swift Testing's console output (`◇ Test f() started.`, `✔ Test f() passed
    /// after …`, `✘ Test f() failed after …`, `➜ Test f() skipped…`), by its words rather than
    /// its symbols, which vary by terminal.
    static func swiftTestingEvent(_ line: Substring) -> SwiftTestingEvent? {
        guard let symbol = line.first, !symbol.isASCII || symbol == "*" else { return nil }
        let rest = line.drop { $0 != " " }.dropFirst()
        if rest.hasPrefix("Test run started") { return .runStarted }
        guard rest.hasPrefix("Test "), !rest.hasPrefix("Test run with") else { return nil }
        let body = rest.dropFirst(5)
        for (word, make) in [
            (" started.", SwiftTestingEvent.started), (" passed after ", SwiftTestingEvent.passed),
            (" passed.", SwiftTestingEvent.passed), (" failed after ", SwiftTestingEvent.failed),
            (" failed.", SwiftTestingEvent.failed), (" skipped", SwiftTestingEvent.skipped),
        ] {
            if let range = body.range(of: word) {
                let name = String(body[..<range.lowerBound])
                // "recorded an issue" lines carry " failed" inside the message; the name never has a space-word form.
                if name.contains(" recorded an issue") { return nil }
                return make(name)
            }
        }
        return nil
    }

    /// `path:line:col: error: message` (column optional), from the compiler or the manifest.
    static func compilerError(_ line: Substring, packageRoot: String) -> AttentionItem? {
        guard let marker = line.range(of: ": error: ") else { return nil }
        let location = line[..<marker.lowerBound]
        let message = String(line[marker.upperBound...])
        let parts = location.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        var numbers: [Int] = []
        var pathParts = parts[...]
        while let last = pathParts.last, let number = Int(last), numbers.count < 2 {
            numbers.insert(number, at: 0)
            pathParts = pathParts.dropLast()
        }
        guard let lineNumber = numbers.first, !pathParts.isEmpty else { return nil }
        var path = pathParts.joined(separator: ":")
        guard path.hasPrefix("/") || path.contains("/") || path.hasSuffix(".swift") else { return nil }
        let root = packageRoot.hasSuffix("/") ? packageRoot : packageRoot + "/"
        if path.hasPrefix(root) { path.removeFirst(root.count) }
        return AttentionItem(SourceLocation(path: path, line: lineNumber, column: numbers.count > 1 ? numbers[1] : nil), message)
    }
}
