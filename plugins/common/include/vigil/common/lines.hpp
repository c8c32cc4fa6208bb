#pragma once
// Text split at '\n' into views of the lines (no line breaks; a last line without one
// counts; "a\n" is one line, "" none). The views point into `text`.
#include <string_view>
#include <vector>

namespace vigil::common {

inline std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        out.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return out;
}

}  // namespace vigil::common
