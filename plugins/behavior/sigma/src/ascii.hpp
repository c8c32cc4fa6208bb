// ASCII case helpers. Sigma's default matching is case-insensitive; we fold
// ASCII only (non-ASCII bytes compare exactly), which covers paths and
// command lines without the cost of Unicode case folding.
#pragma once

#include <string>
#include <string_view>

namespace vigil::behavior::sigma {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

inline void lower_into(std::string_view s, std::string& out) {
    out.resize(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) out[i] = ascii_lower(s[i]);
}

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

}  // namespace vigil::behavior::sigma
