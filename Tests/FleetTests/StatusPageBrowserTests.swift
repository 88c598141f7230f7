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

    @Test func theStatusPageAnswersAReviewerAtPhoneAndDesktopWidths() throws {
        let fleet = FleetFixture(testCommand: Self.testCommand)
        // The page is under test here, not the sandbox: no bubblewrap needed.
        let run = fleet.run(["--sandbox", "none"])
        #expect(run.status == 1, "stdout: \(run.stdout)\nstderr: \(run.stderr)")

        // An attention item with markup in it, appended with ordinary git and the time of the
        // line it follows (so it wins): the browser must show it as text.
        var audit = try #require(fleet.ledger("client-audit").last)
        let fixtureItem = try #require((audit["attention"] as? [String])?.first)
        let markupItem = #"Sources/ClientAudit/Audit.swift:12: uses plays.tags as Array<String> & "tag" <b id="injected">"#
        audit["attention"] = [fixtureItem, markupItem]
        try append(audit, to: "client-audit", in: fleet)
        // Two merges: play-counter's main fast-forwards to its branch (merged by ancestry, drawn
        // at the page's time), and top-tracks' ledger records a merge two days after the run.
        git("update-ref", "refs/heads/main", "skein/plays-v2", in: fleet.mirror("play-counter"))
        var topTracks = try #require(fleet.ledger("top-tracks").last)
        let runDay = try #require(ISO8601DateFormatter().date(from: String((topTracks["at"] as! String).prefix(19)) + "Z"))
        let mergedAt = runDay.addingTimeInterval(2 * 86400)
        topTracks["status"] = "merged"
        topTracks["at"] = ISO8601DateFormatter().string(from: mergedAt).replacingOccurrences(of: "Z", with: ".000Z")
        try append(topTracks, to: "top-tracks", in: fleet)

        let page = fleet.directory.url("status.html")
        let status = skein(["status", "--mirrors", fleet.mirrors, "--html", page])
        #expect(status.status == 1 && status.stdout.contains("wrote \(page)"), "\(status.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)

        let browser = Chromium(in: fleet.directory)
        let wide = try browser.open(page, width: 1400, height: 1600)
        let dom = wide.dom

        // Served whole: no request leaves the machine, the console is silent (Chromium reports
        // malformed SVG attributes and script errors there), and UTF-8 is read as UTF-8.
        #expect(wide.networkRequests.isEmpty, "\(wide.networkRequests)")
        #expect(wide.console.isEmpty, "\(wide.console)")
        #expect(dom.contains("<title>skein status</title>") && dom.contains("<h2 id=\"plays-v2\">plays-v2</h2>"))

        // The overview: the migration's share merged, and each team's counts.
        #expect(dom.contains("<span class=\"pct\">28% merged</span>"), "\(dom)")
        #expect(dom.contains("<tr><td>team-insights</td><td>2</td><td>1</td><td>0</td>"), "\(dom)")
        #expect(dom.contains("<tr><td><i>no owner</i></td><td>0</td><td>1</td><td>0</td>"), "\(dom)")

        // Consumers problems first, then open, then done; each with status, owner and why.
        let articles = dom.components(separatedBy: "<article ").dropFirst().map { "<article " + $0 }
        let order = articles.compactMap { attribute("data-name", in: String($0.dropFirst("<article".count))) }
        #expect(order == ["client-audit", "duration-stats", "legacy-export", "reporting", "play-counter", "top-tracks", "dashboard"], "\(order)")
        let expected: [String: (status: String, owner: String)] = [
            "client-audit": ("needs-human", "team-clients"), "dashboard": ("not-affected", "team-insights"),
            "duration-stats": ("tests-passed", "team-insights"), "legacy-export": ("tests-passed", "team-archive"),
            "play-counter": ("merged", "team-insights"), "reporting": ("tests-passed", "no owner"),
            "top-tracks": ("merged", "team-charts"),
        ]
        #expect(Set(expected.keys) == consumersOfPlays)
        for (consumer, want) in expected {
            guard let article = articles.first(where: { $0.contains("data-name=\"\(consumer)\"") }) else {
                Issue.record("no entry for \(consumer)")
                continue
            }
            #expect(article.contains("<span class=\"st s-\(want.status)\">\(want.status)</span> <b class=\"name\"><a href=\"#m0-\(consumer)\">\(consumer)</a></b>"), "\(article)")
            #expect(article.hasPrefix("<article class=\"c\" id=\"m0-\(consumer)\""), "\(article)")
            #expect(article.contains("<span class=\"owner\">\(want.owner)</span>"), "\(article)")
            #expect(article.contains("<p class=\"why\">"), "\(article)")
            if consumer == "dashboard" {
                #expect(article.contains("<p class=\"why\">nothing to change</p>") && !article.contains("<details>"), "\(article)")
            } else {
                // Tests beside the base's, the diffstat, and the diff itself, collapsed.
                #expect(article.contains("tests after: 2 passed, 0 failed, 1 skipped · at the base: 2 passed, 0 failed"), "\(article)")
                #expect(article.contains("<span class=\"stat\"><ins>+"), "\(article)")
                #expect(article.contains("<details><summary>diff: "), "\(article)")
                #expect(article.contains("<span class=\"f\">diff --git a/"), "\(article)")
            }
        }
        // The diff's lines, their code highlighted (keywords, types) on the added/removed colour.
        let topArticle = articles.first { $0.contains("data-name=\"top-tracks\"") } ?? ""
        #expect(topArticle.contains("<span class=\"a\">+    <i class=\"kk\">public</i> <i class=\"kk\">var</i> track_uri: <i class=\"kt\">String</i>"), "\(topArticle)")
        let diffText = topArticle.replacingOccurrences(of: #"<i class="k[a-z]">|</i>"#, with: "", options: .regularExpression)
        #expect(diffText.contains("<span class=\"a\">+    public var track_uri: String"), "\(topArticle)")
        #expect(diffText.contains("<span class=\"d\">-    public var track_id: String"), "\(topArticle)")
        #expect(articles.first { $0.contains("data-name=\"reporting\"") }?.contains("<span class=\"undeclared\"") == true)

        // Attention items, the markup one as text and not as an element.
        let auditArticle = articles.first ?? ""
        #expect(auditArticle.contains("<li>\(fixtureItem)</li>"), "\(auditArticle)")
        #expect(auditArticle.contains(
            #"<li>Sources/ClientAudit/Audit.swift:12: uses plays.tags as Array&lt;String&gt; &amp; "tag" &lt;b id="injected"&gt;</li>"#),
            "\(auditArticle)")
        #expect(!dom.contains("<b id=\"injected\""))

        // The burndown: over days, labelled like `30 Nov`, from all seven open to the four not
        // yet done (tests-passed is not done) at its right end.
        let svg = try #require(element("svg", in: dom))
        #expect(svg.contains(">7</text>") && svg.contains(">0</text>") && svg.contains(">consumers not yet done</text>"))
        let labels = texts(in: svg).filter { $0.range(of: #"^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)$"#, options: .regularExpression) != nil }
        #expect(labels.count >= 3, "\(texts(in: svg))")
        #expect(!svg.contains("T0") && !svg.contains(":00Z"), "raw timestamps in \(svg)")
        let points = try #require(pathPoints(in: svg))
        let axes = lines(in: svg)
        let (bottom, top) = (axes[0].y1, axes[1].y1)
        #expect(points.first?.y == top, "\(points)")
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.x <= $1.x && $0.y <= $1.y }, "\(points)")
        let last = try #require(points.last)
        #expect(abs(last.y - (bottom - (bottom - top) * 4 / 7)) < 0.1, "\(points)")

        // What a reviewer needs is on screen, not only in the markup: at both widths no element
        // of a consumer's head, no summary of its diff, no chart and no filter reaches past the
        // viewport, the page does not scroll sideways, statuses have distinct colours, an opened
        // diff stays in view with added and removed lines coloured apart, and the filters work.
        for (width, height) in [(400, 1400), (1400, 1000)] {
            let shown = try browser.open(page, width: width, height: height)
            #expect(shown.console.isEmpty && shown.networkRequests.isEmpty, "\(shown.console) \(shown.networkRequests)")
            #expect(bigEndian(shown.screenshot, at: 16) == UInt32(width), "screenshot width")
            if let directory = ProcessInfo.processInfo.environment["SKEIN_TEST_SCREENSHOTS"] {
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try shown.screenshot.write(to: URL(fileURLWithPath: directory).appendingPathComponent("status-\(width).png"))
            }
            // Headless Chromium lays out its DOM dump no narrower than 500 px, so the page is
            // measured in a frame of exactly the width (the screenshot above is of the window).
            let probe = browser.directory.write("probe-\(width).html", Self.probe(html, width: width, height: height))
            let measured = try browser.open(probe, width: width + 100, height: height + 100)
            #expect(measured.console.isEmpty, "\(measured.console)")
            let json = try #require(element("pre", in: measured.dom, id: "measured").map(unescape), "no measurements at \(width) px")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(result["viewport"] as? Int == width, "\(result)")
            #expect(result["scrollWidth"] as? Int ?? .max <= result["clientWidth"] as? Int ?? 0, "the page scrolls sideways at \(width) px: \(result)")
            #expect((result["outside"] as? [String])?.isEmpty == true, "cut off at \(width) px: \(result["outside"] ?? "")")
            #expect(result["checked"] as? Int ?? 0 >= 7 * 4, "\(result)")
            let colours = try #require(result["colours"] as? [String: String])
            #expect(colours.count == 4 && Set(colours.values).count == colours.count, "status colours \(colours)")
            #expect(result["diffVisible"] as? Bool == true, "\(result)")
            #expect(result["addedColour"] as? String != result["removedColour"] as? String, "\(result)")
            #expect(result["problems"] as? Int == 1 && result["insights"] as? Int == 3 && result["after"] as? Int == 7, "\(result)")
        }

        // The same checks see what they should on a page that breaks them: this one is blank to
        // the eye, yet asks for a remote stylesheet and carries a malformed SVG path.
        let control = browser.directory.write("control.html", """
            <!doctype html><html><head><link rel="stylesheet" href="https://skein.invalid/page.css"></head>
            <body><svg width="10" height="10"><path d="M0,0 Lx,1"/></svg></body></html>
            """)
        let blank = try browser.open(control, width: 1400, height: 1600)
        #expect(blank.networkRequests == ["https://skein.invalid/page.css"])
        #expect(blank.console.contains { $0.contains("<path> attribute d") }, "\(blank.console)")
        #expect(wide.screenshot.count > 5 * blank.screenshot.count, "status page \(wide.screenshot.count) bytes, blank page \(blank.screenshot.count)")
        // And the probe sees a page that overflows: a fixed-width element at phone width.
        let wideTable = browser.directory.write("wide.html", Self.probe(html.replacingOccurrences(
            of: "<p class=\"why\">", with: "<p class=\"why\" style=\"width:900px;white-space:nowrap\">"), width: 400, height: 1400))
        let overflowing = try browser.open(wideTable, width: 500, height: 1500)
        let overflowJSON = try #require(element("pre", in: overflowing.dom, id: "measured").map(unescape))
        let overflow = try #require(try JSONSerialization.jsonObject(with: Data(overflowJSON.utf8)) as? [String: Any])
        #expect((overflow["outside"] as? [String])?.isEmpty == false, "\(overflow)")

        #expect(browser.leftoverProcesses().isEmpty, "Chromium processes still running")
    }

    /// Appends a ledger line (as the CLI's git would) to the note on a consumer's branch.
    private func append(_ line: [String: Any], to repo: String, in fleet: FleetFixture) throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self)
        let commit = try #require(line["commit"] as? String)
        git("notes", "--ref=skein", "append", "-m", text, commit, in: fleet.mirror(repo))
    }

    /// A page that shows `html` in a frame of `width`×`height` and, once it has loaded (its own
    /// script ran), measures it and writes the figures into a `<pre id="measured">` for the DOM
    /// dump: which parts a reviewer needs fall outside the frame's width, the status colours, an
    /// opened diff, and the filters' effect.
    static func probe(_ html: String, width: Int, height: Int) -> String {
        let source = html.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
        return """
            <!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">
            <iframe id="frame" style="width:\(width)px;height:\(height)px;border:0;display:block" srcdoc="\(source)"></iframe>
            """ + probeScript
    }

    static let probeScript = """
        <script>
        window.addEventListener('load', function () {
          var win = document.getElementById('frame').contentWindow, doc = win.document;
          var width = doc.documentElement.clientWidth, outside = [], checked = 0;
          function inView(element, label) {
            if (!element) { outside.push(label + ': missing'); return; }
            var box = element.getBoundingClientRect();
            checked++;
            if (box.width <= 0 || box.height <= 0 || box.left < -0.5 || box.right > width + 0.5)
              outside.push(label + ': ' + Math.round(box.left) + '..' + Math.round(box.right));
          }
          var consumers = doc.querySelectorAll('article.c');
          for (var i = 0; i < consumers.length; i++) {
            var c = consumers[i], name = c.dataset.name;
            ['.st', '.name', '.owner', '.why'].forEach(function (part) { inView(c.querySelector(part), name + ' ' + part); });
            var summary = c.querySelector('summary');
            if (summary) inView(summary, name + ' summary');
            var items = c.querySelectorAll('.att li');
            for (var j = 0; j < items.length; j++) inView(items[j], name + ' attention ' + j);
          }
          inView(doc.querySelector('.burndown svg'), 'burndown');
          inView(doc.getElementById('f-status'), 'status filter');
          inView(doc.getElementById('f-owner'), 'owner filter');
          var cards = doc.querySelectorAll('.card');
          for (var k = 0; k < cards.length; k++) inView(cards[k], 'overview card ' + k);
          var colours = {};
          ['needs-human', 'tests-passed', 'merged', 'not-affected'].forEach(function (status) {
            var chip = doc.querySelector('article.c[data-status="' + status + '"] .st');
            if (chip) colours[status] = win.getComputedStyle(chip).backgroundColor;
          });
          var details = doc.querySelector('article.c[data-name="top-tracks"] details');
          details.open = true;
          var pre = details.querySelector('pre').getBoundingClientRect();
          var added = details.querySelector('pre .a'), removed = details.querySelector('pre .d');
          var result = {
            viewport: win.innerWidth, clientWidth: width, scrollWidth: doc.documentElement.scrollWidth, outside: outside,
            checked: checked, colours: colours, diffVisible: pre.height > 0 && pre.left >= 0 && pre.right <= width + 0.5,
            addedColour: win.getComputedStyle(added).backgroundColor, removedColour: win.getComputedStyle(removed).backgroundColor
          };
          details.open = false;
          function visible() { return doc.querySelectorAll('article.c:not([hidden])').length; }
          var status = doc.getElementById('f-status'), owner = doc.getElementById('f-owner');
          status.value = 'problem'; status.dispatchEvent(new win.Event('change')); result.problems = visible();
          status.value = ''; status.dispatchEvent(new win.Event('change'));
          owner.value = 'team-insights'; owner.dispatchEvent(new win.Event('change')); result.insights = visible();
          owner.value = '*'; owner.dispatchEvent(new win.Event('change')); result.after = visible();
          var out = document.createElement('pre');
          out.id = 'measured';
          out.textContent = JSON.stringify(result);
          document.body.appendChild(out);
        });
        </script>
        </body></html>

        """
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

    /// Loads `page` once in a window of `width`×`height`: dumps its DOM, records its network
    /// requests and takes a screenshot. `timeout` kills the browser's whole process group if it hangs.
    func open(_ page: String, width: Int, height: Int) throws -> Rendering {
        let name = ((page as NSString).lastPathComponent as NSString).deletingPathExtension + "-\(width)"
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
                "--window-size=\(width),\(height)", "--screenshot=\(screenshot)",
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

/// The `<name … id="id">…</name>` in `html`.
private func element(_ name: String, in html: String, id: String) -> String? {
    guard let start = html.range(of: "<\(name) id=\"\(id)\">"),
          let end = html.range(of: "</\(name)>", range: start.upperBound..<html.endIndex)
    else { return nil }
    return String(html[start.upperBound..<end.lowerBound])
}

/// Text as the DOM dump escapes it, read back.
private func unescape(_ text: String) -> String {
    text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
        .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
}

/// The contents of every `<text>` of an SVG.
private func texts(in svg: String) -> [String] {
    svg.components(separatedBy: "<text ").dropFirst().compactMap { tag in
        guard let open = tag.firstIndex(of: ">"), let close = tag.range(of: "</text>") else { return nil }
        return String(tag[tag.index(after: open)..<close.lowerBound])
    }
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
