// Vigil C++ SDK: a small, strict JSON reader, so a plugin built against the
// SDK alone can read its settings and command arguments without a JSON library.
//
//   vigil::json::Value v = vigil::json::parse(host.config_json());
//   if (const auto* g = v.find("greeting")) greeting = g->as_string();
//
// RFC 8259 text; duplicate keys keep the last value; nesting deeper than
// kMaxDepth and text longer than kMaxText are refused. Errors throw
// vigil::json::ParseError naming the byte offset. In-tree plugins may keep
// RapidJSON; this reader is for settings-sized documents, not event streams.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::json {

inline constexpr size_t kMaxDepth = 64;
inline constexpr size_t kMaxText = 16u << 20;

class ParseError : public std::runtime_error {
public:
    ParseError(const std::string& what, size_t offset)
        : std::runtime_error(what + " at offset " + std::to_string(offset)), offset_(offset) {}
    size_t offset() const { return offset_; }

private:
    size_t offset_;
};

class Value {
public:
    enum class Type { null, boolean, number, string, array, object };
    using Member = std::pair<std::string, Value>;

    Value() = default;
    static Value boolean(bool b) {
        Value v;
        v.type_ = Type::boolean;
        v.bool_ = b;
        return v;
    }
    static Value number(std::string text) { return Value(Type::number, std::move(text)); }
    static Value string(std::string text) { return Value(Type::string, std::move(text)); }
    static Value array() { return Value(Type::array, {}); }
    static Value object() { return Value(Type::object, {}); }

    Type type() const { return type_; }
    bool is_null() const { return type_ == Type::null; }
    bool is_bool() const { return type_ == Type::boolean; }
    bool is_number() const { return type_ == Type::number; }
    bool is_string() const { return type_ == Type::string; }
    bool is_array() const { return type_ == Type::array; }
    bool is_object() const { return type_ == Type::object; }
    // A number without fraction or exponent that fits the type.
    bool is_int64() const {
        int64_t v;
        return is_number() && parse_int(v);
    }
    bool is_uint64() const {
        uint64_t v;
        return is_number() && parse_int(v);
    }

    bool as_bool() const { return bool_; }
    int64_t as_int64() const {
        int64_t v = 0;
        parse_int(v);
        return v;
    }
    uint64_t as_uint64() const {
        uint64_t v = 0;
        parse_int(v);
        return v;
    }
    double as_double() const { return is_number() ? std::strtod(text_.c_str(), nullptr) : 0.0; }
    // The decoded string, or the number's text.
    const std::string& as_string() const { return text_; }

    const std::vector<Value>& items() const { return items_; }
    const std::vector<Member>& members() const { return members_; }
    size_t size() const { return is_array() ? items_.size() : members_.size(); }
    // The member `key` of an object (the last one when repeated), or nullptr.
    const Value* find(std::string_view key) const {
        for (auto it = members_.rbegin(); it != members_.rend(); ++it)
            if (it->first == key) return &it->second;
        return nullptr;
    }

    void push(Value v) { items_.push_back(std::move(v)); }
    void add(std::string key, Value v) { members_.emplace_back(std::move(key), std::move(v)); }

private:
    Value(Type t, std::string text) : type_(t), text_(std::move(text)) {}
    template <class T>
    bool parse_int(T& out) const {
        if (!is_number()) return false;
        auto r = std::from_chars(text_.data(), text_.data() + text_.size(), out);
        return r.ec == std::errc() && r.ptr == text_.data() + text_.size();
    }

    Type type_ = Type::null;
    bool bool_ = false;
    std::string text_;
    std::vector<Value> items_;
    std::vector<Member> members_;
};

namespace detail {

class Parser {
public:
    explicit Parser(std::string_view s) : s_(s) {}

    Value document() {
        if (s_.size() > kMaxText) fail("document too large");
        Value v = value(0);
        space();
        if (i_ != s_.size()) fail("unexpected text after the value");
        return v;
    }

private:
    [[noreturn]] void fail(const char* what) const { throw ParseError(what, i_); }
    void space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
    }
    bool literal(std::string_view word) {
        if (s_.substr(i_, word.size()) != word) return false;
        i_ += word.size();
        return true;
    }

    Value value(size_t depth) {
        if (depth > kMaxDepth) fail("nesting too deep");
        space();
        if (i_ >= s_.size()) fail("unexpected end of text");
        const char c = s_[i_];
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') return Value::string(string());
        if (literal("true")) return Value::boolean(true);
        if (literal("false")) return Value::boolean(false);
        if (literal("null")) return Value();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        fail("invalid value");
    }

    // Consumes `c` when it is the next character.
    bool take(char c) {
        if (i_ >= s_.size() || s_[i_] != c) return false;
        ++i_;
        return true;
    }

    // The items of an array or the members of an object: after the opening
    // bracket, `item` reads one entry at a time up to `close`.
    template <class ReadItem>
    void entries(char close, const char* expected, ReadItem item) {
        ++i_;
        space();
        if (take(close)) return;
        for (;;) {
            item();
            space();
            if (take(',')) continue;
            if (take(close)) return;
            fail(expected);
        }
    }

    Value object(size_t depth) {
        Value v = Value::object();
        entries('}', "expected ',' or '}'", [&] {
            space();
            if (i_ >= s_.size() || s_[i_] != '"') fail("expected a string key");
            std::string key = string();
            space();
            if (!take(':')) fail("expected ':'");
            v.add(std::move(key), value(depth + 1));
        });
        return v;
    }

    Value array(size_t depth) {
        Value v = Value::array();
        entries(']', "expected ',' or ']'", [&] { v.push(value(depth + 1)); });
        return v;
    }

    size_t digits() {
        const size_t start = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        return i_ - start;
    }

    Value number() {
        const size_t start = i_;
        if (s_[i_] == '-') ++i_;
        if (i_ < s_.size() && s_[i_] == '0')
            ++i_;
        else if (digits() == 0)
            fail("invalid number");
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            if (digits() == 0) fail("invalid number");
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (digits() == 0) fail("invalid number");
        }
        return Value::number(std::string(s_.substr(start, i_ - start)));
    }

    unsigned hex4() {
        if (i_ + 4 > s_.size()) fail("truncated \\u escape");
        unsigned v = 0;
        for (int k = 0; k < 4; ++k) {
            const char h = s_[i_++];
            v <<= 4;
            if (h >= '0' && h <= '9') v |= unsigned(h - '0');
            else if (h >= 'a' && h <= 'f') v |= unsigned(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') v |= unsigned(h - 'A' + 10);
            else fail("invalid \\u escape");
        }
        return v;
    }

    static void utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out.push_back(char(cp));
        } else if (cp < 0x800) {
            out.push_back(char(0xC0 | (cp >> 6)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(char(0xE0 | (cp >> 12)));
            out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(char(0xF0 | (cp >> 18)));
            out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        }
    }

    // A lone surrogate escape decodes to U+FFFD: JSON text may carry one, but
    // it has no UTF-8 form.
    void escape(std::string& out) {
        const char e = s_[i_++];
        switch (e) {
            case '"': out.push_back('"'); return;
            case '\\': out.push_back('\\'); return;
            case '/': out.push_back('/'); return;
            case 'b': out.push_back('\b'); return;
            case 'f': out.push_back('\f'); return;
            case 'n': out.push_back('\n'); return;
            case 'r': out.push_back('\r'); return;
            case 't': out.push_back('\t'); return;
            case 'u': break;
            default: fail("invalid escape");
        }
        uint32_t cp = hex4();
        if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(i_, 2) == "\\u") {
            const size_t save = i_;
            i_ += 2;
            const unsigned lo = hex4();
            if (lo >= 0xDC00 && lo <= 0xDFFF)
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            else
                i_ = save;
        }
        utf8(out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
    }

    std::string string() {
        ++i_;  // opening quote
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) fail("unterminated string");
            const unsigned char c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return out;
            }
            if (c < 0x20) fail("control character in string");
            if (c == '\\') {
                ++i_;
                if (i_ >= s_.size()) fail("unterminated string");
                escape(out);
            } else {
                out.push_back(char(c));
                ++i_;
            }
        }
    }

    std::string_view s_;
    size_t i_ = 0;
};

}  // namespace detail

// Parses a whole JSON text; throws ParseError.
inline Value parse(std::string_view text) { return detail::Parser(text).document(); }

}  // namespace vigil::json
