#pragma once
// Parsing JSON that comes from outside the agent (a server's answers, task arguments)
// without recursion: RapidJSON's default parser recurses once per nesting level, so
// "[[[[..." of a few megabytes overflows a thread's stack. The nesting depth is checked
// first with a linear scan, then the text is parsed with the iterative parser, so later
// recursive walks over the document are bounded too.

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace vigil::common {

constexpr int kDefaultJsonDepth = 64;

// For linear scans of JSON text that count brackets: tells which characters belong to a
// string literal (escapes included), so brackets inside strings are not counted.
class JsonStringSkipper {
public:
    // True when `c`, the next character of the text, is part of a string literal
    // (its quotes included).
    bool in_string(char c) {
        if (in_string_) {
            if (escaped_) escaped_ = false;
            else if (c == '\\') escaped_ = true;
            else if (c == '"') in_string_ = false;
            return true;
        }
        in_string_ = c == '"';
        return in_string_;
    }

private:
    bool in_string_ = false, escaped_ = false;
};

// Deepest nesting of arrays and objects in `text` (strings and escapes skipped); stops
// counting once `limit` is exceeded (returns limit + 1). Not a validator.
int json_nesting_depth(std::string_view text, int limit = kDefaultJsonDepth);

// Parses `text` into `doc`. Returns "" on success, else the reason ("nested deeper than
// 64 levels", "invalid JSON at offset 12: Missing a comma ..."); `doc` is then unusable.
std::string parse_json_bounded(rapidjson::Document& doc, std::string_view text, int max_depth = kDefaultJsonDepth);

}  // namespace vigil::common
