// The PostgreSQL engine's text path on arbitrary bytes (agent data reaches it unchecked):
// valid_utf8 gives valid UTF-8 without NUL by an independent decoder, leaves valid text alone
// and is idempotent; a COPY field holds no raw tab/newline/CR and unescapes to valid_utf8(input).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pg_text.hpp"

namespace {

// Decodes code points one at a time (unlike pg_text.cpp's byte-class table): every sequence
// complete, shortest form, no surrogates, at most U+10FFFF, no NUL.
bool strictly_valid(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (n == 0 || i + static_cast<size_t>(n) > s.size()) return false;
        uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
        for (int k = 1; k < n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        const uint32_t min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        if (cp == 0 || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += static_cast<size_t>(n);
    }
    return true;
}

std::string unescape(std::string_view f) {
    std::string out;
    for (size_t i = 0; i < f.size(); ++i) {
        if (f[i] != '\\' || i + 1 == f.size()) {
            out += f[i];
            continue;
        }
        const char e = f[++i];
        out += e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vigil::central::pg;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::string out = valid_utf8(in);
    if (!strictly_valid(out)) __builtin_trap();
    if (valid_utf8(out) != out) __builtin_trap();
    if (strictly_valid(in) && out != in) __builtin_trap();
    std::string field;
    copy_field(field, in);
    if (field.find_first_of("\t\n\r") != std::string::npos) __builtin_trap();
    if (unescape(field) != out) __builtin_trap();
    return 0;
}
