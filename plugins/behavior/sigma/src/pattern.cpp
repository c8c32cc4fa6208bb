#include "pattern.hpp"

namespace vigil::behavior::sigma {

Pattern Pattern::parse(std::string_view raw) {
    Pattern p;
    p.symbols_.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '\\') {
            if (i + 1 < raw.size() && (raw[i + 1] == '*' || raw[i + 1] == '?' || raw[i + 1] == '\\')) {
                p.symbols_.push_back(static_cast<unsigned char>(raw[i + 1]));
                ++i;
            } else {
                p.symbols_.push_back('\\');
            }
        } else if (c == '*') {
            p.symbols_.push_back(kAnyRun);
        } else if (c == '?') {
            p.symbols_.push_back(kAnyChar);
        } else {
            p.symbols_.push_back(static_cast<unsigned char>(c));
        }
    }
    return p;
}

Pattern Pattern::literal(std::string_view text) {
    Pattern p;
    p.symbols_.reserve(text.size());
    for (char c : text) p.symbols_.push_back(static_cast<unsigned char>(c));
    return p;
}

bool Pattern::has_wildcards() const {
    for (auto s : symbols_)
        if (s < 0) return true;
    return false;
}

std::string Pattern::literal_text() const {
    std::string out;
    out.reserve(symbols_.size());
    for (auto s : symbols_)
        if (s >= 0) out.push_back(static_cast<char>(s));
    return out;
}

void Pattern::prepend_any_run() { symbols_.insert(symbols_.begin(), kAnyRun); }
void Pattern::append_any_run() { symbols_.push_back(kAnyRun); }

}  // namespace vigil::behavior::sigma
