import Foundation
import GitKit
import Ledger
import SkeinBasics

/// `skein status --html`: one self-contained page (no network assets, inline CSS and a little
/// plain JavaScript) a reviewer can answer from alone, at phone or desktop width: an overview
/// across migrations and teams, then per migration its burndown over days and its consumers,
/// problems first, each with status, owner, why, tests beside the base's, attention lines and
/// its diff (collapsed, coloured like a code review, cut for huge changes). Filters by status,
/// owner and name run in the page. Every text that comes from a consumer or ledger is escaped.
public enum StatusPage {
    /// One consumer's diff, by `key(migration, repo)`.
    public typealias Patches = [String: Patch]

    public static func key(_ migration: String, _ repo: String) -> String { migration + "\u{0}" + repo }

    /// Reads each migrated consumer's diff (base..commit) from its mirror, in parallel. The
    /// budget per consumer shrinks with the fleet so the page stays a size a browser opens
    /// at once (about 16 MB of diffs at most). A mirror that cannot be read has no diff shown.
    public static func patches(for reports: [MigrationReport], mirrors: String, jobs: Int = 8) async -> Patches {
        let layout = FleetLayout(mirrors: mirrors)
        let wanted = reports.flatMap { report in
            report.repos.compactMap { repo -> (String, String, String, String)? in
                guard let commit = repo.entry.commit else { return nil }
                return (report.id, repo.repo, repo.entry.base, commit)
            }
        }
        let budget = min(64 << 10, max(4 << 10, (16 << 20) / max(1, wanted.count)))
        let read = await concurrentMap(wanted, limit: jobs) { migration, repo, base, commit -> (String, Patch)? in
            guard let old = ObjectID(hex: base), let new = ObjectID(hex: commit),
                  let repository = try? Repository.open(layout.mirrorPath(repo)),
                  let patch = try? repository.patch(from: old, to: new, maxBytes: budget)
            else { return nil }
            return (key(migration, repo), patch)
        }
        return Dictionary(read.compactMap { $0 }, uniquingKeysWith: { first, _ in first })
    }

    public static func render(_ reports: [MigrationReport], patches: Patches = [:], generatedAt: String = Timestamp.now()) -> String {
        let now = Timestamp.parse(generatedAt) ?? Date()
        var html = head
        html += "<header><h1>skein status</h1><p class=\"meta\">Generated \(escape(readableTime(now))) from the refs/notes/skein ledgers.</p></header>\n"
        if reports.isEmpty {
            html += "<p>No migrations recorded yet.</p>\n</body></html>\n"
            return html
        }
        html += overview(reports)
        html += filters(reports)
        for (index, report) in reports.enumerated() {
            html += migration(report, index: index, patches: patches, now: now)
        }
        html += "<p id=\"nothing\" class=\"meta\" hidden>No consumer matches these filters.</p>\n"
        html += script
        html += "</body></html>\n"
        return html
    }

    // MARK: - Sections

    static let done: Set<MigrationStatus> = [.merged, .notAffected, .rolledBack]
    static let problems: Set<MigrationStatus> = [.error, .testsFailed, .needsHuman]

    /// Across migrations: each one's counts and share merged, and each team's.
    static func overview(_ reports: [MigrationReport]) -> String {
        let all = reports.flatMap(\.repos)
        let merged = all.filter { $0.status == .merged }.count
        let problemCount = all.filter { problems.contains($0.status) }.count
        var html = "<section id=\"overview\"><h2>Fleet overview</h2>\n"
        html += "<p class=\"meta\">\(reports.count) migration\(reports.count == 1 ? "" : "s"), \(all.count) consumer result\(all.count == 1 ? "" : "s"), "
        html += "\(percent(merged, all.count)) merged, \(problemCount) need\(problemCount == 1 ? "s" : "") attention.</p>\n<div class=\"cards\">\n"
        for (index, report) in reports.enumerated() {
            let mergedHere = report.repos.filter { $0.status == .merged }.count
            let problemsHere = report.repos.filter { problems.contains($0.status) }.count
            html += "<a class=\"card\" href=\"#m-\(index)\"><b>\(escape(report.id))</b>"
            html += "<span class=\"pct\">\(percent(mergedHere, report.repos.count)) merged</span>\n"
            html += bar(report.repos.map(\.status))
            html += "<small>\(report.repos.count) consumers" + (problemsHere > 0 ? ", \(problemsHere) need attention" : "") + "</small></a>\n"
        }
        html += "</div>\n"
        let byOwner = Dictionary(grouping: all) { $0.entry.owner ?? "" }
        html += "<h3>By team</h3>\n<table class=\"owners\"><thead><tr><th>owner</th><th>done</th><th>open</th><th>attention</th><th></th></tr></thead><tbody>\n"
        for owner in byOwner.keys.sorted(by: { ($0.isEmpty ? 1 : 0, $0) < ($1.isEmpty ? 1 : 0, $1) }) {
            let repos = byOwner[owner]!
            let doneCount = repos.filter { done.contains($0.status) }.count
            let problemCount = repos.filter { problems.contains($0.status) }.count
            html += "<tr><td>\(owner.isEmpty ? "<i>no owner</i>" : escape(owner))</td><td>\(doneCount)</td>"
            html += "<td>\(repos.count - doneCount - problemCount)</td><td>\(problemCount)</td><td>\(bar(repos.map(\.status)))</td></tr>\n"
        }
        html += "</tbody></table></section>\n"
        return html
    }

    static func filters(_ reports: [MigrationReport]) -> String {
        let owners = Set(reports.flatMap(\.repos).map { $0.entry.owner ?? "" }).sorted()
        var html = "<nav id=\"filters\" aria-label=\"filters\"><label>Status <select id=\"f-status\"><option value=\"\">all</option>"
        html += "<option value=\"problem\">needs attention</option><option value=\"open\">open</option><option value=\"done\">done</option>"
        for status in MigrationStatus.allCases.sorted(by: { $0.reviewRank < $1.reviewRank }) {
            html += "<option value=\"\(status.rawValue)\">\(status.rawValue)</option>"
        }
        html += "</select></label> <label>Owner <select id=\"f-owner\"><option value=\"*\">all</option>"
        for owner in owners {
            html += "<option value=\"\(escape(owner))\">\(owner.isEmpty ? "no owner" : escape(owner))</option>"
        }
        html += "</select></label> <label>Name <input id=\"f-name\" type=\"search\" size=\"12\"></label> <span id=\"f-count\" class=\"meta\"></span></nav>\n"
        return html
    }

    static func migration(_ report: MigrationReport, index: Int, patches: Patches, now: Date) -> String {
        var html = "<section class=\"migration\" id=\"m-\(index)\"><h2 id=\"\(escape(report.id))\">\(escape(report.id))</h2>\n"
        let merged = report.repos.filter { $0.status == .merged }.count
        html += "<p class=\"meta\">schema commit <code>\(escape(String(report.schemaCommit.prefix(10))))</code> · \(report.repos.count) consumers · \(percent(merged, report.repos.count)) merged</p>\n"
        html += "<p class=\"counts\">" + report.repos.map(\.status).reduce(into: [MigrationStatus: Int]()) { $0[$1, default: 0] += 1 }
            .sorted { $0.key.reviewRank < $1.key.reviewRank }
            .map { "<span class=\"st s-\($0.key.rawValue)\">\($0.value) \($0.key.rawValue)</span>" }.joined(separator: " ") + "</p>\n"
        html += burndown(report, now: now)
        let sorted = report.repos.sorted { ($0.status.reviewRank, $0.repo) < ($1.status.reviewRank, $1.repo) }
        let groups: [(String, String, [ConsumerStatus])] = [
            ("problem", "Needs attention", sorted.filter { problems.contains($0.status) }),
            ("open", "Open for review", sorted.filter { !problems.contains($0.status) && !done.contains($0.status) }),
            ("done", "Done", sorted.filter { done.contains($0.status) }),
        ]
        for (kind, title, repos) in groups where !repos.isEmpty {
            html += "<div class=\"group g-\(kind)\"><h3>\(title) <span class=\"meta\">(\(repos.count))</span></h3>\n"
            for repo in repos {
                html += consumer(repo, migration: report.id, anchor: "m\(index)-\(repo.repo)", kind: kind, patch: patches[key(report.id, repo.repo)])
            }
            html += "</div>\n"
        }
        html += "</section>\n"
        return html
    }

    static func consumer(_ repo: ConsumerStatus, migration: String, anchor: String, kind: String, patch: Patch?) -> String {
        let entry = repo.entry
        let owner = entry.owner ?? ""
        var html = "<article class=\"c\" id=\"\(escape(anchor))\" data-status=\"\(repo.status.rawValue)\" data-kind=\"\(kind)\" data-owner=\"\(escape(owner))\" data-name=\"\(escape(repo.repo.lowercased()))\">\n"
        html += "<div class=\"head\"><span class=\"st s-\(repo.status.rawValue)\">\(repo.status.rawValue)</span> <b class=\"name\"><a href=\"#\(escape(anchor))\">\(escape(repo.repo))</a></b>"
        if entry.extra["undeclared"] == .bool(true) {
            html += " <span class=\"undeclared\" title=\"its catalog-info.yaml does not declare the dataset; found by its references\">undeclared</span>"
        }
        html += " <span class=\"owner\">\(owner.isEmpty ? "no owner" : escape(owner))</span></div>\n"
        html += "<p class=\"why\">\(escape(OutcomeWords.why(entry, status: repo.status)))</p>\n"
        var facts: [String] = []
        if let tests = entry.tests {
            var text = "tests after: \(tests.passed) passed, \(tests.failed) failed, \(tests.skipped) skipped"
            if let base = entry.baseTests { text += " · at the base: \(base.passed) passed, \(base.failed) failed" }
            facts.append("<span class=\"tests\">\(text)</span>")
        }
        if let patch {
            facts.append("<span class=\"stat\"><ins>+\(patch.insertions)</ins> <del>−\(patch.deletions)</del> in \(patch.filesChanged) file\(patch.filesChanged == 1 ? "" : "s")</span>")
        } else if let files = entry.files, !files.isEmpty {
            facts.append("<span class=\"stat\">\(files.count) file\(files.count == 1 ? "" : "s")</span>")
        }
        if let commit = entry.commit {
            facts.append("<span class=\"branch\"><code>skein/\(escape(migration))</code> <code>\(escape(String(commit.prefix(10))))</code></span>")
        }
        if let log = entry.extra["log"]?.stringValue { facts.append("<span class=\"log\">log <code>\(escape(log))</code></span>") }
        if !facts.isEmpty { html += "<p class=\"facts\">" + facts.joined(separator: " ") + "</p>\n" }
        var items = entry.attention ?? []
        // The why line already says a short error; a long one is shown whole here.
        if let error = entry.error, repo.status != .error || error.count > 100 { items.insert("error: \(error)", at: 0) }
        if !items.isEmpty {
            let shown = items.prefix(50)
            html += "<ul class=\"att\">" + shown.map { "<li>\(escape($0))</li>" }.joined()
            if items.count > shown.count { html += "<li>… and \(items.count - shown.count) more in the ledger</li>" }
            html += "</ul>\n"
        }
        if let patch {
            html += "<details><summary>diff: \(patch.filesChanged) file\(patch.filesChanged == 1 ? "" : "s"), +\(patch.insertions) −\(patch.deletions)</summary>"
            html += "<pre class=\"diff\">" + diffLines(patch.text)
            if patch.truncatedFiles > 0 {
                html += "<span class=\"cut\">… cut here: \(patch.truncatedFiles) file\(patch.truncatedFiles == 1 ? "" : "s") not shown in full; "
                html += "git -C \(escape(repo.repo)).git diff \(escape(String(entry.base.prefix(10))))..skein/\(escape(migration))</span>"
            }
            html += "</pre><p class=\"meta git\">In the mirrors directory: <code>git -C \(escape(repo.repo)).git log -p \(escape(String(entry.base.prefix(10))))..\(escape(String((entry.commit ?? "").prefix(10))))</code></p></details>\n"
        }
        html += "</article>\n"
        return html
    }

    /// A bar of statuses, problems first, each segment its status's colour.
    static func bar(_ statuses: [MigrationStatus]) -> String {
        guard !statuses.isEmpty else { return "" }
        let counts = statuses.reduce(into: [MigrationStatus: Int]()) { $0[$1, default: 0] += 1 }.sorted { $0.key.reviewRank < $1.key.reviewRank }
        return "<span class=\"bar\" role=\"img\" aria-label=\"" + counts.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ") + "\">"
            + counts.map { "<i class=\"s-\($0.key.rawValue)\" style=\"width:\(format(Double($0.value) * 100 / Double(statuses.count)))%\"></i>" }.joined()
            + "</span>"
    }

    // MARK: - Burndown

    /// Consumers not yet done (merged, not affected or rolled back) over the days from the first
    /// ledger line to now, as a step line: `tests-passed` is still open. A consumer found merged
    /// with no ledger line saying when is drawn merged at the page's time.
    static func burndown(_ report: MigrationReport, now: Date) -> String {
        var events: [(date: Date, repo: String, status: MigrationStatus)] = []
        for repo in report.repos {
            for line in repo.history { if let date = Timestamp.parse(line.at) { events.append((date, repo.repo, line.status)) } }
            if repo.status != repo.entry.status { events.append((now, repo.repo, repo.status)) }
        }
        events.sort { $0.date < $1.date }
        guard let first = events.first?.date else { return "" }
        let total = report.repos.count
        var current: [String: MigrationStatus] = [:]
        var points: [(Date, Int)] = [(first, total)]
        for event in events {
            current[event.repo] = event.status
            points.append((event.date, total - current.values.filter { done.contains($0) }.count))
        }
        let end = max(now, events.last!.date)
        // Over days: whole days from the first run's to today's, one label per day (or per few
        // days); within one day the axis spans the hours of the run, its ends labelled with time.
        let calendar = utcCalendar
        let startDay = calendar.startOfDay(for: first)
        let days = calendar.dateComponents([.day], from: startDay, to: calendar.startOfDay(for: end)).day ?? 0
        let from: Date, to: Date
        if days >= 1 {
            from = startDay
            to = calendar.date(byAdding: .day, value: days + 1, to: startDay)!
        } else {
            from = first
            to = max(end, first.addingTimeInterval(60))
        }
        let span = to.timeIntervalSince(from)
        let width = 480.0, height = 190.0, left = 44.0, right = 14.0, top = 28.0, bottom = 36.0
        func px(_ date: Date) -> Double { left + date.timeIntervalSince(from) / span * (width - left - right) }
        func py(_ open: Int) -> Double { height - bottom - Double(open) / Double(max(total, 1)) * (height - top - bottom) }
        var path = "M\(format(px(points[0].0))),\(format(py(points[0].1)))"
        var previous = points[0].1
        for (date, open) in points.dropFirst() {
            path += " L\(format(px(date))),\(format(py(previous))) L\(format(px(date))),\(format(py(open)))"
            previous = open
        }
        path += " L\(format(px(end))),\(format(py(previous)))"
        var svg = "<figure class=\"burndown\"><svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"burndown of consumers not yet done\">\n"
        svg += "<text x=\"\(format(width / 2))\" y=\"16\" font-size=\"13\" text-anchor=\"middle\">consumers not yet done</text>\n"
        svg += "<line x1=\"\(format(left))\" y1=\"\(format(height - bottom))\" x2=\"\(format(width - right))\" y2=\"\(format(height - bottom))\" stroke=\"#9aa4b5\"/>\n"
        svg += "<line x1=\"\(format(left))\" y1=\"\(format(top))\" x2=\"\(format(left))\" y2=\"\(format(height - bottom))\" stroke=\"#9aa4b5\"/>\n"
        svg += "<text x=\"\(format(left - 6))\" y=\"\(format(top + 4))\" font-size=\"12\" text-anchor=\"end\">\(total)</text>"
        svg += "<text x=\"\(format(left - 6))\" y=\"\(format(height - bottom + 4))\" font-size=\"12\" text-anchor=\"end\">0</text>\n"
        var ticks: [(Date, String)] = []
        if days >= 1 {
            let step = max(1, Int((Double(days + 1) / 6).rounded(.up)))
            for day in stride(from: 0, through: days + 1, by: step) {
                ticks.append((calendar.date(byAdding: .day, value: day, to: startDay)!, dayLabel(calendar.date(byAdding: .day, value: day, to: startDay)!)))
            }
        } else {
            ticks = [(from, dayLabel(from) + " " + clock(from)), (to, clock(to))]
        }
        for (index, tick) in ticks.enumerated() {
            let x = px(tick.0)
            let anchor = index == 0 ? "start" : (tick.0 >= to ? "end" : "middle")
            svg += "<line x1=\"\(format(x))\" y1=\"\(format(height - bottom))\" x2=\"\(format(x))\" y2=\"\(format(height - bottom + 4))\" stroke=\"#9aa4b5\"/>"
            svg += "<text x=\"\(format(x))\" y=\"\(format(height - bottom + 18))\" font-size=\"12\" text-anchor=\"\(anchor)\">\(escape(tick.1))</text>\n"
        }
        svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"#2f6fdb\" stroke-width=\"2\"/>\n"
        svg += "<circle cx=\"\(format(px(end)))\" cy=\"\(format(py(previous)))\" r=\"3.5\" fill=\"#2f6fdb\"><title>\(previous) not yet done at \(escape(readableTime(end)))</title></circle>\n"
        svg += "</svg><figcaption class=\"meta\">Done means merged, not affected or rolled back; tests-passed is still open. \(previous) of \(total) not yet done on \(escape(readableTime(end))); first run \(escape(readableTime(first))).</figcaption></figure>\n"
        return svg
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `12 Jan`
    static func dayLabel(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.day, .month], from: date)
        return "\(parts.day!) \(months[parts.month! - 1])"
    }

    /// `09:13`
    static func clock(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour!, parts.minute!)
    }

    /// `12 Jan 2026, 10:00 UTC`
    static func readableTime(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return "\(parts.day!) \(months[parts.month! - 1]) \(parts.year!), " + String(format: "%02d:%02d UTC", parts.hour!, parts.minute!)
    }

    static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "0%" : "\(Int((Double(part) * 100 / Double(whole)).rounded(.down)))%"
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text as HTML text or attribute value: `& < > " '` become entities. Most text has none,
    /// and is returned as it is without being walked character by character.
    static func escape(_ text: String) -> String {
        let special: (UInt8) -> Bool = { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }
        guard text.utf8.contains(where: special) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case 0x26: out += Array("&amp;".utf8)
            case 0x3C: out += Array("&lt;".utf8)
            case 0x3E: out += Array("&gt;".utf8)
            case 0x22: out += Array("&quot;".utf8)
            case 0x27: out += Array("&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Style and script

    static let head = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>skein status</title>
        <style>
        *, *::before, *::after { box-sizing: border-box; }
        body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; color: #1d2430; padding: .5em 1em 3em; overflow-wrap: anywhere; }
        h1 { font-size: 1.5em; margin: .4em 0 0; } h2 { margin-top: 1.6em; border-bottom: 1px solid #d8dee8; padding-bottom: .2em; }
        h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
        .meta { color: #5b6577; } code { font: 13px ui-monospace, monospace; }
        .cards { display: flex; flex-wrap: wrap; gap: .6em; }
        .card { flex: 1 1 14em; max-width: 100%; display: flex; flex-direction: column; gap: .3em; padding: .6em .8em; border: 1px solid #d8dee8; border-radius: .5em; color: inherit; text-decoration: none; }
        .card .pct { font-size: 1.4em; font-weight: 600; }
        .bar { display: flex; height: .7em; min-width: 6em; border-radius: .35em; overflow: hidden; background: #eceff3; }
        .bar i { display: block; height: 100%; }
        table.owners { border-collapse: collapse; width: 100%; }
        .owners th, .owners td { text-align: left; padding: .3em .5em; border-bottom: 1px solid #e6eaf0; }
        .owners th { white-space: nowrap; } .owners td:last-child { width: 40%; }
        #filters { position: sticky; top: 0; z-index: 1; background: #fff; padding: .5em 0; margin-top: 1em; border-bottom: 1px solid #e6eaf0; display: flex; flex-wrap: wrap; gap: .4em 1em; align-items: center; }
        #filters select, #filters input { font: inherit; max-width: 12em; }
        .counts { display: flex; flex-wrap: wrap; gap: .3em; }
        .st { display: inline-block; white-space: nowrap; padding: .05em .55em; border-radius: 1em; font-size: .9em; font-weight: 600; }
        .s-error { background: #f3e8ff; color: #6b21a8; } .bar .s-error { background: #9333ea; }
        .s-tests-failed { background: #fde2e2; color: #a4161a; } .bar .s-tests-failed { background: #dc2626; }
        .s-needs-human { background: #fff1cc; color: #7a5300; } .bar .s-needs-human { background: #f59e0b; }
        .s-tests-passed { background: #dbeafe; color: #1e40af; } .bar .s-tests-passed { background: #3b82f6; }
        .s-merged { background: #dcfce7; color: #166534; } .bar .s-merged { background: #16a34a; }
        .s-not-affected { background: #eceff3; color: #475569; } .bar .s-not-affected { background: #94a3b8; }
        .s-rolled-back { background: #f5e6da; color: #7c3f12; } .bar .s-rolled-back { background: #b45309; }
        .burndown { margin: 1em 0; max-width: 640px; } .burndown svg { width: 100%; height: auto; background: #fafbfd; border: 1px solid #e6eaf0; }
        .c { border: 1px solid #e1e6ee; border-left: 4px solid #cbd3df; border-radius: .4em; padding: .5em .8em; margin: .5em 0; }
        .c[data-kind="problem"] { border-left-color: #dc2626; } .c[data-kind="open"] { border-left-color: #3b82f6; } .c[data-kind="done"] { border-left-color: #16a34a; }
        .head { display: flex; flex-wrap: wrap; gap: .3em .6em; align-items: baseline; }
        .name { font-size: 1.05em; } .name a { color: inherit; text-decoration: none; } .name a:hover { text-decoration: underline; } .owner { color: #374151; background: #f3f5f9; padding: 0 .45em; border-radius: .3em; }
        .undeclared { color: #7a5300; border: 1px dashed #d4a017; padding: 0 .4em; border-radius: .3em; font-size: .85em; }
        .why { margin: .3em 0; } .facts { margin: .2em 0; color: #374151; display: flex; flex-wrap: wrap; gap: .2em 1em; font-size: .92em; }
        ins { color: #166534; text-decoration: none; font-weight: 600; } del { color: #a4161a; text-decoration: none; font-weight: 600; }
        .att { margin: .3em 0; padding-left: 1.2em; font: 13px/1.4 ui-monospace, monospace; }
        details summary { cursor: pointer; color: #1e40af; margin: .3em 0; }
        pre.diff { font: 12.5px/1.4 ui-monospace, monospace; background: #fbfcfd; border: 1px solid #e6eaf0; padding: .5em; overflow-x: auto; max-height: 40em; overflow-y: auto; white-space: pre; overflow-wrap: normal; }
        pre.diff span { display: block; min-width: max-content; padding: 0 .3em; }
        .diff .f { font-weight: 700; background: #eef2f7; margin-top: .6em; } .diff .m { color: #5b6577; }
        .diff .h { color: #6b21a8; background: #f6f0fd; } .diff .a { background: #e6ffec; color: #0f5132; } .diff .d { background: #ffebe9; color: #82071e; }
        .diff .cut { color: #7a5300; background: #fff7e0; white-space: pre-wrap; }
        .diff i { font-style: normal; } .diff .kk { color: #cf222e; } .diff .ks { color: #0a3069; } .diff .kc { color: #6e7781; }
        .diff .kt { color: #8250df; } .diff .kn { color: #0550ae; }
        @media (max-width: 600px) { body { font-size: 14px; padding: .3em .6em 2em; } .burndown svg text { font-size: 15px; } .owners td:last-child, .owners th:last-child { display: none; } }
        </style></head><body>

        """

    /// Filters: hides consumers (and groups left empty) that do not match, and says how many show.
    static let script = """
        <script>
        (function () {
          var status = document.getElementById('f-status'), owner = document.getElementById('f-owner');
          var name = document.getElementById('f-name'), count = document.getElementById('f-count');
          var consumers = document.querySelectorAll('article.c'), groups = document.querySelectorAll('.group');
          function apply() {
            var s = status.value, o = owner.value, n = name.value.trim().toLowerCase(), shown = 0;
            for (var i = 0; i < consumers.length; i++) {
              var c = consumers[i];
              var ok = (!s || c.dataset.status === s || c.dataset.kind === s) && (o === '*' || c.dataset.owner === o) &&
                (!n || c.dataset.name.indexOf(n) >= 0);
              c.hidden = !ok;
              if (ok) shown++;
            }
            for (var j = 0; j < groups.length; j++) groups[j].hidden = !groups[j].querySelector('article.c:not([hidden])');
            count.textContent = shown + ' of ' + consumers.length + ' shown';
            document.getElementById('nothing').hidden = shown > 0;
          }
          status.addEventListener('change', apply); owner.addEventListener('change', apply); name.addEventListener('input', apply);
          apply();
        })();
        </script>

        """
}
