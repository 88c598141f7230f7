import SkeinBasics
import Testing

@Suite struct TerminalTextTests {
    @Test func controlCodesAreShownNotObeyed() {
        #expect("plain name-1.2".terminalSafe == "plain name-1.2")
        #expect("esc\u{1b}[31mred\u{07}".terminalSafe == "esc\\e[31mred\\u{7}")
        #expect("two\nlines\r".terminalSafe == "two\\nlines\\r")
        #expect("c1\u{9b}2J".terminalSafe == "c1\\u{9b}2J")
        #expect("bidi\u{202e}txt".terminalSafe == "bidi\\u{202e}txt")
        #expect("naïve ✓".terminalSafe == "naïve ✓")
    }
}
