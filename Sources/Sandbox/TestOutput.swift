import Foundation
import SkeinBasics

/// What `swift test` printed, read back: XCTest's `Test Case '…' passed` lines and Swift
/// Testing's `✔ Test …() passed` lines, and the compiler's `path:line:col: error:` lines.
/// Read line by line as the output streams (`read(line:)`), with every list bounded, so that
/// no amount or shape of output grows what skein holds.
struct TestOutput: Sendable {
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

    /// Bounds on what is kept: names of failing tests, errors, tests running at once.
    static let maximumNames = 1000
    static let maximumErrors = 200
    static let maximumRunning = 1000

    private let packageRoot: String
    private var started: [String] = []
    private var seenErrors = Set<AttentionItem>()

    /// Ready to read lines; paths under `packageRoot` become relative to it.
    init(packageRoot: String) {
        self.packageRoot = packageRoot
    }

    /// Parses `text` at once.
    init(parsing text: Substring, packageRoot: String) {
        self.init(packageRoot: packageRoot)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) { read(line: line) }
    }

    /// Whether a line can matter, judged by its first bytes without decoding it: test-framework
    /// lines start with `Test `, a non-ASCII symbol or `*`; errors come before tests start.
    func mayMatter(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        if first == UInt8(ascii: "T") || first >= 0x80 || first == UInt8(ascii: "*") { return true }
        return !testsStarted && (compilerErrors.count < Self.maximumErrors || otherErrors.count < Self.maximumErrors)
            && Self.contains(bytes, Array("error: ".utf8))
    }

    /// Whether `bytes` contain `needle` (`memmem` is a GNU extension the Glibc module leaves out).
    static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var offset = 0
        let last = bytes.count - needle.count
        while offset <= last, let found = memchr(bytes.baseAddress! + offset, Int32(first), last - offset + 1) {
            let at = bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
            if memcmp(bytes.baseAddress! + at, needle, needle.count) == 0 { return true }
            offset = at + 1
        }
        return false
    }

    /// Reads one line (without its newline).
    mutating func read(line rawLine: Substring) {
        let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
        if line.hasPrefix("Test Suite '") && line.contains("' started") {
            testsStarted = true
        } else if line.hasPrefix("Test Case '") {
            testsStarted = true
            guard let close = line.dropFirst(11).firstIndex(of: "'") else { return }
            let name = Self.xctestName(String(line[line.index(line.startIndex, offsetBy: 11)..<close]))
            let verdict = line[line.index(after: close)...]
            if verdict.hasPrefix(" started") {
                run(name)
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
            case .started(let name): run(name)
            case .passed(let name): passed += 1; started.removeAll { $0 == name }
            case .failed(let name): record(failure: name); started.removeAll { $0 == name }
            case .skipped: skipped += 1
            }
        } else if !testsStarted, compilerErrors.count < Self.maximumErrors,
                  let item = Self.compilerError(line, packageRoot: packageRoot) {
            if seenErrors.insert(item).inserted { compilerErrors.append(item) }
        } else if !testsStarted, otherErrors.count < Self.maximumErrors, line.hasPrefix("error: ") {
            let message = String(line.dropFirst(7))
            if !otherErrors.contains(message) { otherErrors.append(message) }
        }
        unfinishedTest = started.last
    }

    private mutating func run(_ name: String) {
        if started.count >= Self.maximumRunning { started.removeFirst() }
        started.append(name)
    }

    private mutating func record(failure name: String) {
        failed += 1
        if failingTests.count < Self.maximumNames, !failingTests.contains(name) { failingTests.append(name) }
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
