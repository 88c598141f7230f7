import Foundation
import Ledger
import SkeinBasics

/// `skein status --html`: one self-contained page (no network assets) with, per migration,
/// counts by status, a burndown of open consumers over time drawn from the ledger, and a row
/// per consumer with its status, tests, attention items and log.
public enum StatusPage {
    public static func render(_ reports: [MigrationReport], generatedAt: String = Timestamp.now()) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>skein status</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #1d2430; padding: 0 1em; }
            h1 { font-size: 1.5em; margin-bottom: 0; } h2 { margin-top: 2em; border-bottom: 1px solid #d8dee8; padding-bottom: .2em; }
            .meta { color: #5b6577; } code { font: 12px ui-monospace, monospace; }
            .counts span { display: inline-block; margin: .2em .4em .2em 0; padding: .15em .6em; border-radius: 1em; }
            table { border-collapse: collapse; width: 100%; margin-top: 1em; }
            th, td { text-align: left; vertical-align: top; padding: .35em .6em; border-bottom: 1px solid #e6eaf0; }
            th { background: #f3f5f9; } ul { margin: 0; padding-left: 1.1em; }
            td > span { white-space: nowrap; padding: .1em .5em; border-radius: 1em; }
            .s-tests-passed, .s-merged, .s-not-affected, .s-rolled-back { background: #e3f4e8; color: #17622f; }
            .s-tests-failed, .s-error { background: #fbe5e5; color: #8c1c1c; }
            .s-needs-human { background: #fff2d6; color: #7a5300; }
            svg { background: #fafbfd; border: 1px solid #e6eaf0; }
            </style></head><body>
            <h1>skein status</h1>
            <p class="meta">Generated \(escape(generatedAt)) from the refs/notes/skein ledgers.</p>

            """
        if reports.isEmpty { html += "<p>No migrations recorded yet.</p>\n" }
        for report in reports {
            html += "<h2 id=\"\(escape(report.id))\">\(escape(report.id))</h2>\n"
            html += "<p class=\"meta\">schema commit <code>\(escape(String(report.schemaCommit.prefix(12))))</code>, \(report.repos.count) consumers</p>\n"
            html += "<p class=\"counts\">" + report.counts.map { "<span class=\"s-\($0.0)\">\($0.1) \(escape($0.0))</span>" }.joined() + "</p>\n"
            html += burndown(report)
            html += "<table><thead><tr><th>consumer</th><th>status</th><th>tests</th><th>attention</th><th>branch / log</th></tr></thead><tbody>\n"
            for repo in report.repos {
                let entry = repo.entry
                let tests = entry.tests.map { "\($0.passed) passed, \($0.failed) failed, \($0.skipped) skipped" } ?? "—"
                var attention = (entry.attention ?? []).map { "<li>\(escape($0))</li>" }.joined()
                if let error = entry.error { attention += "<li>error: \(escape(error))</li>" }
                let branch = entry.commit.map { "skein/\(escape(entry.migration)) <code>\(escape(String($0.prefix(10))))</code>" } ?? "—"
                let log = entry.extra["log"]?.stringValue.map { "<br><code>\(escape($0))</code>" } ?? ""
                let undeclared = entry.extra["undeclared"] == .bool(true) ? " <small>(undeclared)</small>" : ""
                html += "<tr><td>\(escape(repo.repo))\(undeclared)</td><td><span class=\"s-\(repo.status.rawValue)\">\(repo.status.rawValue)</span></td>"
                html += "<td>\(tests)</td><td>\(attention.isEmpty ? "—" : "<ul>\(attention)</ul>")</td><td>\(branch)\(log)</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        html += "</body></html>\n"
        return html
    }

    /// An inline SVG: consumers not yet done well (no entry, or a failing status) after each
    /// ledger event.
    static func burndown(_ report: MigrationReport) -> String {
        let events = report.repos.flatMap { repo in repo.history.map { (repo: repo.repo, entry: $0) } }
            .sorted { $0.entry.at < $1.entry.at }
        guard let first = events.first.flatMap({ Timestamp.parse($0.entry.at) }),
              let last = events.last.flatMap({ Timestamp.parse($0.entry.at) }) else { return "" }
        let total = report.repos.count
        var current: [String: MigrationStatus] = [:]
        var points: [(Double, Int)] = [(0, total)]
        // The last event is drawn at the right end, where its time is printed, however short
        // the span; a ledger written within one instant draws at the left.
        let span = last.timeIntervalSince(first)
        for event in events {
            current[event.repo] = event.entry.status
            let open = total - current.values.filter(\.isGood).count
            let x = span > 0 ? (Timestamp.parse(event.entry.at)?.timeIntervalSince(first) ?? 0) / span : 0
            points.append((x, open))
        }
        let width = 640.0, height = 160.0, pad = 30.0
        func px(_ x: Double) -> Double { pad + x * (width - 2 * pad) }
        func py(_ y: Int) -> Double { height - pad - Double(y) / Double(max(total, 1)) * (height - 2 * pad) }
        var path = ""
        var previous: Int? = nil
        for (x, y) in points {
            if let previous { path += " L\(format(px(x))),\(format(py(previous)))" }
            path += (path.isEmpty ? "M" : " L") + "\(format(px(x))),\(format(py(y)))"
            previous = y
        }
        return """
            <svg width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="burndown of open consumers">
            <line x1="\(pad)" y1="\(height - pad)" x2="\(width - pad)" y2="\(height - pad)" stroke="#9aa4b5"/>
            <line x1="\(pad)" y1="\(pad)" x2="\(pad)" y2="\(height - pad)" stroke="#9aa4b5"/>
            <text x="4" y="\(pad + 4)" font-size="11">\(total)</text><text x="8" y="\(height - pad + 4)" font-size="11">0</text>
            <text x="\(pad)" y="\(height - 8)" font-size="11">\(escape(Timestamp.format(first)))</text>
            <text x="\(width - pad)" y="\(height - 8)" font-size="11" text-anchor="end">\(escape(Timestamp.format(last)))</text>
            <path d="\(path)" fill="none" stroke="#2f6fdb" stroke-width="2"/>
            <text x="\(width / 2)" y="16" font-size="12" text-anchor="middle">consumers still open (burndown)</text>
            </svg>

            """
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
