#pragma once
// Text from untrusted sources (agent data: command lines, paths, hostnames, results) made
// safe to print on a terminal: nothing in it can move the cursor, rewrite or erase lines,
// set the window title or reach the clipboard (OSC 52), or reorder text (bidi overrides).

#include <string>
#include <string_view>

namespace vigil::common {

// Escapes, as visible text: C0 controls (\n, \t, \r, \e and the rest, as \n \t \r \x1b ...),
// DEL (\x7f), C1 controls U+0080..U+009F (\u009b), the Unicode line/paragraph separators and
// bidirectional formatting characters (\u2028, \u202e, \u2066 ...), bytes that are not valid
// UTF-8 (\xNN), and the backslash itself (\\), so every escape is unambiguous.
std::string terminal_safe(std::string_view text);

}  // namespace vigil::common
