#include "vigil/common/terminal_text.hpp"

#include <cstdint>
#include <cstdio>

namespace vigil::common {
namespace {

void hex_escape(std::string& out, unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
}

void unicode_escape(std::string& out, uint32_t cp) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    out += buf;
}

// Length of the valid UTF-8 sequence at s[i] and its code point; 0 when invalid.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t& cp) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (len == 0 || i + len > s.size()) return 0;
    cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
    for (size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3f);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
    if (overlong || surrogate || cp > 0x10ffff) return 0;
    return len;
}

bool invisible_format(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061c;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7f) {
            hex_escape(out, c);
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            uint32_t cp = 0;
            size_t len = utf8_sequence(text, i, cp);
            if (len == 0) {
                hex_escape(out, c);
            } else if (invisible_format(cp)) {
                unicode_escape(out, cp);
                i += len;
                continue;
            } else {
                out.append(text.substr(i, len));
                i += len;
                continue;
            }
        }
        ++i;
    }
    return out;
}

}  // namespace vigil::common
