import Foundation
import Testing

@testable import Fleet

/// The page's diff text comes from consumers' files: it is shown, never interpreted.
@Suite struct StatusPageDiffTests {
    @Test func diffTextIsEscapedInEveryKindOfToken() {
        let diff = """
            diff --git a/Sources/<b>.swift b/Sources/<b>.swift
            @@ -1 +1 @@ <img src=x>
            -let s = "</pre><script>alert(1)</script>" // <b>bold</b> & more
            +let t = '<i>' + 1 < 2 && 3 > 2
            diff --git a/config/a.yaml b/config/a.yaml
            +"<key>": '<v>' # <c>

            """
        let html = StatusPage.diffLines(diff)
        for markup in ["<b>", "<script>", "</pre>", "<img", "<key>", "<v>", "<c>", "<i>", "&&", " & "] {
            #expect(!html.contains(markup), "\(markup) in \(html)")
        }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && html.contains("&amp;&amp;"), "\(html)")
        // Highlighted: a keyword, a string, a comment; a config key.
        #expect(html.contains(#"<i class="kk">let</i>"#) && html.contains(#"<i class="kc">// &lt;b&gt;bold&lt;/b&gt; &amp; more</i>"#), "\(html)")
        #expect(html.contains(#"<i class="kk">&quot;&lt;key&gt;&quot;</i>"#), "\(html)")
    }
}
