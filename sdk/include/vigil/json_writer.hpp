// Vigil C++ SDK: writing JSON that every strict parser accepts.
//
// Paths, command lines and process output are arbitrary bytes, but JSON text
// must be UTF-8. Every string written here is sanitised: a byte sequence that
// is not valid UTF-8 (a stray continuation byte, an overlong form, a UTF-16
// surrogate, a code point past U+10FFFF, a truncated sequence) becomes U+FFFD,
// and every control byte is escaped (\n, \t, ... or \u00XX).
//
//   vigil::JsonWriter w;
//   w.begin_object().field("path", path).field("size", uint64_t(n)).end_object();
//   host.set_status(w.take());
//
// Commas are placed by the writer; it does not check that keys and values
// alternate (a misuse shows in tests as invalid JSON, not as a crash).
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

namespace detail {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid.
inline size_t utf8_sequence(const unsigned char* s, size_t n, size_t i) {
    const unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + len > n) return 0;
    for (size_t k = 1; k < len; ++k) {
        if ((s[i + k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

// Appends the UTF-8 sequence at bytes[i] when it is valid, U+FFFD for its
// first byte when it is not, and moves i past what it consumed.
inline void append_utf8_sequence(std::string& out, std::string_view bytes, size_t& i) {
    const size_t len = utf8_sequence(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), i);
    if (len == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
    } else {
        out.append(bytes.data() + i, len);
        i += len;
    }
}

}  // namespace detail

// Replaces every invalid UTF-8 sequence with U+FFFD (one per offending byte).
inline std::string sanitize_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (size_t i = 0; i < bytes.size();) detail::append_utf8_sequence(out, bytes, i);
    return out;
}

// Appends s as the inside of a JSON string (no quotes): escapes '"', '\\' and
// control bytes, and replaces invalid UTF-8 with U+FFFD.
inline void append_json_escaped(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    for (size_t i = 0; i < s.size();) {
        const unsigned char ch = p[i];
        if (ch >= 0x80) {
            detail::append_utf8_sequence(out, s, i);
            continue;
        }
        ++i;
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (ch < 0x20) {
                    out += "\\u00";
                    out.push_back(hex[ch >> 4]);
                    out.push_back(hex[ch & 15]);
                } else {
                    out.push_back(char(ch));
                }
        }
    }
}

// Escapes a string for inclusion inside JSON quotes (UTF-8-safe, see above).
inline std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    append_json_escaped(out, s);
    return out;
}

// `"s"` as a JSON string literal.
inline std::string json_quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 10);
    out.push_back('"');
    append_json_escaped(out, s);
    out.push_back('"');
    return out;
}

class JsonWriter {
public:
    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }

    JsonWriter& key(std::string_view k) {
        comma();
        out_.push_back('"');
        append_json_escaped(out_, k);
        out_ += "\":";
        after_key_ = true;
        return *this;
    }
    JsonWriter& str(std::string_view v) {
        comma();
        out_.push_back('"');
        append_json_escaped(out_, v);
        out_.push_back('"');
        return *this;
    }
    JsonWriter& num(int64_t v) { return scalar(std::to_string(v)); }
    JsonWriter& unum(uint64_t v) { return scalar(std::to_string(v)); }
    // Non-finite numbers have no JSON form; they are written as null.
    JsonWriter& dbl(double v) {
        if (!std::isfinite(v)) return null();
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        return scalar(std::string_view(buf, size_t(r.ptr - buf)));
    }
    JsonWriter& boolean(bool v) { return scalar(v ? "true" : "false"); }
    JsonWriter& null() { return scalar("null"); }
    // Inserts already serialised JSON; an empty text is written as null.
    JsonWriter& raw(std::string_view json) { return scalar(json.empty() ? std::string_view("null") : json); }

    JsonWriter& field(std::string_view k, std::string_view v) { return key(k).str(v); }
    JsonWriter& field(std::string_view k, const char* v) { return key(k).str(v ? v : ""); }
    JsonWriter& field(std::string_view k, const std::string& v) { return key(k).str(v); }
    JsonWriter& field(std::string_view k, bool v) { return key(k).boolean(v); }
    JsonWriter& field(std::string_view k, int v) { return key(k).num(v); }
    JsonWriter& field(std::string_view k, long v) { return key(k).num(v); }
    JsonWriter& field(std::string_view k, long long v) { return key(k).num(v); }
    JsonWriter& field(std::string_view k, unsigned v) { return key(k).unum(v); }
    JsonWriter& field(std::string_view k, unsigned long v) { return key(k).unum(v); }
    JsonWriter& field(std::string_view k, unsigned long long v) { return key(k).unum(v); }
    JsonWriter& field(std::string_view k, double v) { return key(k).dbl(v); }
    JsonWriter& raw_field(std::string_view k, std::string_view json) { return key(k).raw(json); }

    const std::string& text() const { return out_; }
    std::string take() {
        std::string s = std::move(out_);
        out_.clear();
        first_.clear();
        after_key_ = false;
        return s;
    }

private:
    void comma() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back()) out_.push_back(',');
            first_.back() = false;
        }
    }
    JsonWriter& open(char c) {
        comma();
        out_.push_back(c);
        first_.push_back(true);
        return *this;
    }
    JsonWriter& close(char c) {
        out_.push_back(c);
        if (!first_.empty()) first_.pop_back();
        return *this;
    }
    JsonWriter& scalar(std::string_view text) {
        comma();
        out_.append(text.data(), text.size());
        return *this;
    }

    std::string out_;
    std::vector<bool> first_;  // per open container: nothing written yet
    bool after_key_ = false;
};

}  // namespace vigil
