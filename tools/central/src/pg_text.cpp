#include "pg_text.hpp"

namespace vigil::central::pg {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte there does not start one.
size_t utf8_sequence(std::string_view s, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    if (c >= 0x01 && c < 0x80) return 1;
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((b(i + k) & 0xc0) != 0x80) return 0;
    const unsigned char c1 = b(i + 1);
    if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f))
        return 0;  // overlong, surrogate or above U+10FFFF
    return n;
}

}  // namespace

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8_sequence(s, i);
        if (n == 0) {
            out += "\xef\xbf\xbd";
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

// The same as escaping valid_utf8(v), without the copy: runs of printable ASCII (most of an
// event) are appended in one piece; this was the largest cost of the PostgreSQL ingest path.
void copy_field(std::string& row, std::string_view v) {
    for (size_t i = 0; i < v.size();) {
        size_t j = i;
        while (j < v.size()) {
            const auto c = static_cast<unsigned char>(v[j]);
            if (c < 0x20 || c >= 0x80 || c == '\\') break;
            ++j;
        }
        row.append(v.data() + i, j - i);
        if (j == v.size()) break;
        i = j;
        switch (v[i]) {
            case '\\': row += "\\\\"; break;
            case '\t': row += "\\t"; break;
            case '\n': row += "\\n"; break;
            case '\r': row += "\\r"; break;
            default: {
                const size_t n = utf8_sequence(v, i);
                if (n == 0) {
                    row += "\xef\xbf\xbd";
                } else {
                    row.append(v.data() + i, n);
                    i += n;
                    continue;
                }
            }
        }
        ++i;
    }
}

}  // namespace vigil::central::pg
