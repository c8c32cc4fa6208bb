#include "json_util.hpp"

#include <cstdio>

namespace vigil::response {

std::string sanitize_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len = 0;
        uint32_t cp = 0;
        if (c < 0x80) {
            out.push_back(char(c));
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        }
        bool valid = len != 0 && i + len <= n;
        for (size_t k = 1; valid && k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                valid = false;
            else
                cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        // Reject overlong forms, surrogates and code points past U+10FFFF.
        if (valid) {
            if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                valid = false;
        }
        if (valid) {
            out.append(s.data() + i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

JsonOut& JsonOut::key(std::string_view k) {
    std::string clean = sanitize_utf8(k);
    writer_.Key(clean.data(), rapidjson::SizeType(clean.size()));
    return *this;
}

JsonOut& JsonOut::str(std::string_view v) {
    std::string clean = sanitize_utf8(v);
    writer_.String(clean.data(), rapidjson::SizeType(clean.size()));
    return *this;
}

JsonOut& JsonOut::raw(std::string_view json) {
    writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
}

JsonOut& JsonOut::value(const rapidjson::Value& v) {
    v.Accept(writer_);
    return *this;
}

std::string to_json(const rapidjson::Value& v) {
    JsonOut o;
    o.value(v);
    return o.take();
}

std::string mode_octal(uint32_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", unsigned(mode & 07777));
    return buf;
}

}  // namespace vigil::response
