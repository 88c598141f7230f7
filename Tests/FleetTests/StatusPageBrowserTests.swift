import Foundation
import Testing
import TestSupport

/// Chromium as Debian packages it (`apt-get install chromium`), found on PATH.
private let chromium: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    .map { URL(fileURLWithPath: String($0)).appendingPathComponent("chromium").path }
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// `skein status --html` as a person sees it: headless Chromium opens the page written from a
/// real ledger, and the test reads the DOM it built, the requests it made, what it logged to
/// its console and a screenshot. Skipped, with this reason, where Chromium is not installed.
@Suite(.enabled(if: chromium != nil, "needs headless Chromium on PATH (apt-get install chromium)"))
struct StatusPageBrowserTests {
    /// Tests that print Swift Testing's lines, so every tested consumer records 2 passed and
    /// 1 skipped.
    static let testCommand =
        "echo ✔ Test first passed after 0.001 seconds.; echo ✔ Test second passed after 0.001 seconds.; echo ➜ Test third skipped."

    @Test func theStatusPageRendersOfflineWithItsBurndownRowsAndCounts() throws {
        let fleet = FleetFixture(testCommand: Self.testCommand)
        // The page is under test here, not the sandbox: no bubblewrap needed.
        let run = fleet.run(["--sandbox", "none"])
        #expect(run.status == 1, "stdout: \(run.stdout)\nstderr: \(run.stderr)")

        // An attention item with markup in it, appended with ordinary git and the time of the
        // line it follows (so it wins, and the ledger still spans only the run): the browser
        // must show it as text.
        var audit = try #require(fleet.ledger("client-audit").last)
        let fixtureItem = try #require((audit["attention"] as? [String])?.first)
        let markupItem = #"Sources/ClientAudit/Audit.swift:12: uses plays.tags as Array<String> & "tag" <b id="injected">"#
        audit["attention"] = [fixtureItem, markupItem]
        let line = String(decoding: try JSONSerialization.data(withJSONObject: audit, options: [.sortedKeys]), as: UTF8.self)
        let commit = try #require(audit["commit"] as? String)
        git("notes", "--ref=skein", "append", "-m", line, commit, in: fleet.mirror("client-audit"))

        let page = fleet.directory.url("status.html")
        let status = skein(["status", "--mirrors", fleet.mirrors, "--html", page])
        #expect(status.status == 1 && status.stdout.contains("wrote \(page)"), "\(status.stderr)")

        let browser = Chromium(in: fleet.directory)
        let rendered = try browser.open(page)
        let dom = rendered.dom

        // Served whole: no request leaves the machine, the console is silent (Chromium reports
        // malformed SVG attributes there), and UTF-8 is read as UTF-8.
        #expect(rendered.networkRequests.isEmpty, "\(rendered.networkRequests)")
        #expect(rendered.console.isEmpty, "\(rendered.console)")
        #expect(dom.contains("<title>skein status</title>") && dom.contains("<h2 id=\"plays-v2\">plays-v2</h2>"))

        // Counts by status.
        #expect(dom.contains(
            #"<p class="counts"><span class="s-needs-human">1 needs-human</span><span class="s-not-affected">1 not-affected</span><span class="s-tests-passed">5 tests-passed</span></p>"#))

        // The burndown: two axes, its labels, and a path from all seven consumers open at the
        // first ledger event to the one still open (client-audit) at the last, at the axis' end.
        let svg = try #require(element("svg", in: dom))
        #expect(svg.contains(#"aria-label="burndown of open consumers""#))
        let axes = lines(in: svg)
        try #require(axes.count == 2, "\(svg)")
        let (left, right, bottom, top) = (axes[0].x1, axes[0].x2, axes[0].y1, axes[1].y1)
        #expect(svg.contains(">7</text>") && svg.contains(">0</text>") && svg.contains(">consumers still open (burndown)</text>"))
        let points = try #require(pathPoints(in: svg))
        try #require(points.count >= consumersOfPlays.count + 1, "\(svg)")
        #expect(points.first?.x == left && points.first?.y == top)
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.x <= $1.x && $0.y <= $1.y }, "\(points)")
        let last = try #require(points.last)
        #expect(abs(last.x - right) < 0.1, "the last event is drawn at \(last.x), its time is printed at \(right)")
        #expect(abs(last.y - (bottom - (bottom - top) / 7)) < 0.1, "\(points)")

        // One row per consumer: its status, test summary, branch and log.
        let rows = dom.components(separatedBy: "<tr>").dropFirst(2)
        #expect(rows.count == consumersOfPlays.count)
        let expected: [String: String] = [
            "client-audit": "needs-human", "dashboard": "not-affected", "duration-stats": "tests-passed",
            "legacy-export": "tests-passed", "play-counter": "tests-passed", "reporting": "tests-passed",
            "top-tracks": "tests-passed",
        ]
        #expect(Set(expected.keys) == consumersOfPlays)
        for (consumer, consumerStatus) in expected {
            let row = rows.first { $0.hasPrefix("<td>\(consumer)</td>") || $0.hasPrefix("<td>\(consumer) <small>") }
            guard let row else {
                Issue.record("no row for \(consumer)")
                continue
            }
            #expect(row.contains("<td><span class=\"s-\(consumerStatus)\">\(consumerStatus)</span></td>"), "\(row)")
            if consumer == "dashboard" {
                #expect(row.contains("<td>—</td><td>—</td><td>—</td>"), "\(row)")
            } else {
                #expect(row.contains("<td>2 passed, 0 failed, 1 skipped</td>"), "\(row)")
                #expect(row.contains("<td>skein/plays-v2 <code>"), "\(row)")
                #expect(row.contains("<code>.skein/logs/plays-v2/\(consumer).after.log</code>"), "\(row)")
            }
        }
        #expect(rows.contains { $0.hasPrefix("<td>reporting <small>(undeclared)</small></td>") })

        // Attention items, the markup one as text and not as an element.
        let auditRow = rows.first { $0.hasPrefix("<td>client-audit</td>") } ?? ""
        #expect(auditRow.contains("<li>\(fixtureItem)</li>"), "\(auditRow)")
        #expect(auditRow.contains(
            #"<li>Sources/ClientAudit/Audit.swift:12: uses plays.tags as Array&lt;String&gt; &amp; "tag" &lt;b id="injected"&gt;</li>"#),
            "\(auditRow)")
        #expect(!dom.contains("<b id=\"injected\""))

        // The screenshot is a PNG of the window's size, far fuller than an empty page's.
        let shot = rendered.screenshot
        #expect(shot.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(bigEndian(shot, at: 16) == 1280 && bigEndian(shot, at: 20) == 1024)

        // The same checks see what they should on a page that breaks them: this one is blank to
        // the eye, yet asks for a remote stylesheet and carries a malformed SVG path.
        let control = browser.directory.write("control.html", """
            <!doctype html><html><head><link rel="stylesheet" href="https://skein.invalid/page.css"></head>
            <body><svg width="10" height="10"><path d="M0,0 Lx,1"/></svg></body></html>
            """)
        let blank = try browser.open(control)
        #expect(blank.networkRequests == ["https://skein.invalid/page.css"])
        #expect(blank.console.contains { $0.contains("<path> attribute d") }, "\(blank.console)")
        #expect(blank.screenshot.prefix(8) == shot.prefix(8))
        #expect(shot.count > 5 * blank.screenshot.count, "status page \(shot.count) bytes, blank page \(blank.screenshot.count)")

        #expect(browser.leftoverProcesses().isEmpty, "Chromium processes still running")
    }
}

/// Headless Chromium with its profile, cache and home in a test's temp directory, offline: every
/// host name fails to resolve, so a page that asks for one is seen asking and never reaches it.
private struct Chromium {
    let directory: TemporaryDirectory
    let profile: String

    init(in parent: TemporaryDirectory) {
        directory = parent
        profile = parent.url("chromium/profile")
    }

    struct Rendering {
        /// The DOM after loading, as Chromium serializes it.
        var dom: String
        /// http(s) and other network URLs the page asked for.
        var networkRequests: [String]
        /// Lines the page wrote to the console (script errors, malformed SVG attributes).
        var console: [String]
        var screenshot: Data
    }

    /// Loads `page` once: dumps its DOM, records its network requests and takes a 1280×1024
    /// screenshot. `timeout` kills the browser's whole process group if it hangs.
    func open(_ page: String) throws -> Rendering {
        let name = ((page as NSString).lastPathComponent as NSString).deletingPathExtension
        let netLog = directory.url("chromium/\(name).netlog.json")
        let screenshot = directory.url("chromium/\(name).png")
        let home = directory.url("chromium/home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let result = runProgram(
            "timeout",
            [
                "--kill-after=5", "60", chromium!, "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=\(profile)", "--no-first-run", "--disable-background-networking",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--log-net-log=\(netLog)",
                "--enable-logging=stderr", "--v=0",
                "--window-size=1280,1024", "--screenshot=\(screenshot)",
                "--dump-dom", URL(fileURLWithPath: page).absoluteString,
            ],
            environment: ["HOME": home, "XDG_CONFIG_HOME": home + "/.config", "XDG_CACHE_HOME": home + "/.cache"])
        try #require(result.status == 0, "chromium exited \(result.status): \(result.stderr)")
        let console = result.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Rendering(
            dom: result.stdout, networkRequests: try requests(inNetLog: netLog), console: console,
            screenshot: try Data(contentsOf: URL(fileURLWithPath: screenshot)))
    }

    /// URLs requested for a file:// page, from Chromium's net log. The browser's own background
    /// requests (updates, sign-in, dictionaries) belong to other sites and are left out.
    func requests(inNetLog path: String) throws -> [String] {
        let log = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let types = (log["constants"] as? [String: Any])?["logEventTypes"] as? [String: Int]
        let startJob = try #require(types?["URL_REQUEST_START_JOB"], "no URL_REQUEST_START_JOB in the net log")
        let events = log["events"] as? [[String: Any]] ?? []
        return events.compactMap { event in
            guard event["type"] as? Int == startJob, let parameters = event["params"] as? [String: Any],
                  let url = parameters["url"] as? String,
                  (parameters["network_isolation_key"] as? String)?.contains("file://") == true
            else { return nil }
            return url
        }
    }

    /// Chromium processes (the browser and its helpers all carry the profile path) still alive.
    /// The browser's helpers exit just after it does, so this waits a little for them.
    func leftoverProcesses() -> [String] {
        var found: [String] = []
        for _ in 0..<50 {
            found = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
                guard Int32(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                      String(decoding: data, as: UTF8.self).contains(profile)
                else { return nil }
                return entry
            }
            if found.isEmpty { return [] }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return found
    }
}

/// The first `<name …>…</name>` in `html`.
private func element(_ name: String, in html: String) -> String? {
    guard let start = html.range(of: "<\(name)"), let end = html.range(of: "</\(name)>", range: start.upperBound..<html.endIndex)
    else { return nil }
    return String(html[start.lowerBound..<end.upperBound])
}

/// The `<line>` elements of an SVG, in order.
private func lines(in svg: String) -> [(x1: Double, y1: Double, x2: Double, y2: Double)] {
    svg.components(separatedBy: "<line ").dropFirst().compactMap { tag in
        let values = ["x1", "y1", "x2", "y2"].compactMap { attribute($0, in: tag).flatMap(Double.init) }
        return values.count == 4 ? (values[0], values[1], values[2], values[3]) : nil
    }
}

/// The points of the first `<path>`'s `d`, which the page writes as `M x,y L x,y …`.
private func pathPoints(in svg: String) -> [(x: Double, y: Double)]? {
    guard let path = svg.components(separatedBy: "<path ").dropFirst().first, let d = attribute("d", in: path) else { return nil }
    var points: [(x: Double, y: Double)] = []
    for command in d.split(separator: " ") {
        guard let letter = command.first, "ML".contains(letter) else { return nil }
        let numbers = command.dropFirst().split(separator: ",").compactMap { Double($0) }
        guard numbers.count == 2 else { return nil }
        points.append((numbers[0], numbers[1]))
    }
    return points
}

/// The value of `name="…"` in the text of one tag, from just after its name.
private func attribute(_ name: String, in tag: String) -> String? {
    let tag = " " + tag
    guard let start = tag.range(of: " \(name)=\""), let end = tag[start.upperBound...].firstIndex(of: "\"") else { return nil }
    return String(tag[start.upperBound..<end])
}

/// A 32-bit big-endian number (PNG header fields).
private func bigEndian(_ data: Data, at offset: Int) -> UInt32 {
    guard data.count >= offset + 4 else { return 0 }
    return data[data.startIndex + offset..<data.startIndex + offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
}
