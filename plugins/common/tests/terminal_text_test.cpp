#include "vigil/common/terminal_text.hpp"

#include <doctest/doctest.h>

using vigil::common::terminal_safe;

TEST_CASE("terminal_safe: printable text and valid UTF-8 pass, controls become visible escapes") {
    CHECK(terminal_safe("/usr/bin/curl -s https://x") == "/usr/bin/curl -s https://x");
    CHECK(terminal_safe("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    // The review's reproduction: erase the line, move up, erase again.
    CHECK(terminal_safe("\r\x1b[2K\x1b[1A\x1b[2K") == "\\r\\x1b[2K\\x1b[1A\\x1b[2K");
    CHECK(terminal_safe("a\nb\tc") == "a\\nb\\tc");
    CHECK(terminal_safe(std::string("nul\0x", 5)) == "nul\\x00x");
    CHECK(terminal_safe("\x7f") == "\\x7f");
    // OSC 52 (clipboard) and the title sequence end in BEL or ST: both escaped.
    CHECK(terminal_safe("\x1b]52;c;aGk=\x07") == "\\x1b]52;c;aGk=\\x07");
    // C1 controls: CSI (U+009B) as UTF-8, and as a raw byte (invalid UTF-8).
    CHECK(terminal_safe("\xc2\x9b" "2J") == "\\u009b2J");
    CHECK(terminal_safe("\x9b" "2J") == "\\x9b2J");
    // Bidi override (Trojan source) and line separator.
    CHECK(terminal_safe("\xe2\x80\xae" "txt.exe") == "\\u202etxt.exe");
    CHECK(terminal_safe("\xe2\x80\xa8") == "\\u2028");
    // Overlong encodings and truncated sequences are bytes, not characters.
    CHECK(terminal_safe("\xc0\xaf") == "\\xc0\\xaf");
    CHECK(terminal_safe("\xe2\x82") == "\\xe2\\x82");
    CHECK(terminal_safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // surrogate
    CHECK(terminal_safe("a\\x1b") == "a\\\\x1b");  // a literal backslash cannot fake an escape
}
