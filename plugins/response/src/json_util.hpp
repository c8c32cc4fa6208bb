// Small JSON helpers shared by the response actions: a writer that always
// emits valid UTF-8 (file paths and process output are arbitrary bytes) and
// a parser that names the problem when the input is not a JSON object.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::response {

// Replaces every byte sequence that is not valid UTF-8 with U+FFFD so the
// result can be embedded in JSON that strict consumers accept.
std::string sanitize_utf8(std::string_view bytes);

// Builds one JSON value incrementally. Keys and strings are sanitized.
class JsonOut {
public:
    JsonOut() : writer_(buffer_) {}
    JsonOut& begin_object() {
        writer_.StartObject();
        return *this;
    }
    JsonOut& end_object() {
        writer_.EndObject();
        return *this;
    }
    JsonOut& begin_array() {
        writer_.StartArray();
        return *this;
    }
    JsonOut& end_array() {
        writer_.EndArray();
        return *this;
    }
    JsonOut& key(std::string_view k);
    JsonOut& str(std::string_view v);
    JsonOut& num(int64_t v) {
        writer_.Int64(v);
        return *this;
    }
    JsonOut& unum(uint64_t v) {
        writer_.Uint64(v);
        return *this;
    }
    JsonOut& dbl(double v) {
        writer_.Double(v);
        return *this;
    }
    JsonOut& boolean(bool v) {
        writer_.Bool(v);
        return *this;
    }
    JsonOut& null() {
        writer_.Null();
        return *this;
    }
    // Inserts an already serialized JSON value (must be valid JSON).
    JsonOut& raw(std::string_view json);
    // Copies a parsed value.
    JsonOut& value(const rapidjson::Value& v);

    JsonOut& field(std::string_view k, std::string_view v) { return key(k).str(v); }
    JsonOut& field(std::string_view k, const char* v) { return key(k).str(v); }
    JsonOut& field(std::string_view k, bool v) { return key(k).boolean(v); }
    JsonOut& field_i(std::string_view k, int64_t v) { return key(k).num(v); }
    JsonOut& field_u(std::string_view k, uint64_t v) { return key(k).unum(v); }

    std::string take() { return std::string(buffer_.GetString(), buffer_.GetSize()); }

private:
    rapidjson::StringBuffer buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// Serializes a parsed value.
std::string to_json(const rapidjson::Value& v);

// Octal text of a file mode's permission bits, e.g. "0644" or "4755".
std::string mode_octal(uint32_t mode);

}  // namespace vigil::response
