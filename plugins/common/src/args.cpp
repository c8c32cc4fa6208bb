#include "vigil/common/args.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <climits>
#include <cmath>
#include <vigil/json_writer.hpp>

namespace vigil::common {

namespace {

std::string quoted(std::string_view s) { return "\"" + vigil::sanitize_utf8(s) + "\""; }

std::string to_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return vigil::sanitize_utf8(std::string_view(sb.GetString(), sb.GetSize()));
}

std::string got(const rapidjson::Value& v) { return std::string(json_type_name(v)) + " " + describe_json(v); }

}  // namespace

const char* json_type_name(const rapidjson::Value& v) {
    switch (v.GetType()) {
        case rapidjson::kNullType: return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType: return "a boolean";
        case rapidjson::kObjectType: return "an object";
        case rapidjson::kArrayType: return "an array";
        case rapidjson::kStringType: return "a string";
        case rapidjson::kNumberType: return "a number";
    }
    return "unknown";
}

std::string describe_json(const rapidjson::Value& v) {
    std::string s = to_json(v);
    if (s.size() > 64) s = s.substr(0, 61) + "...";
    return s;
}

std::string field_name(std::string_view key) { return "field " + quoted(key); }

Args::Args(std::string_view json) {
    if (json.find_first_not_of(" \n\r\t") == std::string_view::npos) {
        doc_.SetObject();
        return;
    }
    doc_.Parse<rapidjson::kParseStopWhenDoneFlag>(json.data(), json.size());
    if (doc_.HasParseError())
        throw ArgError(std::string("arguments are not valid JSON: ") +
                       rapidjson::GetParseError_En(doc_.GetParseError()) + " at offset " +
                       std::to_string(doc_.GetErrorOffset()));
    if (!doc_.IsObject()) throw ArgError(std::string("arguments must be a JSON object, got ") + json_type_name(doc_));
}

bool Args::has(const char* key) const { return doc_.HasMember(key); }

const rapidjson::Value* Args::raw(const char* key) {
    used_.insert(key);
    auto it = doc_.FindMember(key);
    return it == doc_.MemberEnd() ? nullptr : &it->value;
}

std::string expect_string(const rapidjson::Value& v, std::string_view what, size_t max_len) {
    if (!v.IsString()) throw ArgError(std::string(what) + " must be a string, got " + got(v));
    std::string s(v.GetString(), v.GetStringLength());
    if (s.find('\0') != std::string::npos) throw ArgError(std::string(what) + " contains a NUL byte");
    if (s.size() > max_len)
        throw ArgError(std::string(what) + " is too long (" + std::to_string(s.size()) + " bytes, at most " +
                       std::to_string(max_len) + ")");
    return s;
}

std::optional<std::string> Args::string(const char* key, size_t max_len) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    return expect_string(*v, field_name(key), max_len);
}

std::optional<uint64_t> Args::uinteger(const char* key, uint64_t max) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    const std::string what = field_name(key);
    if (!v->IsNumber()) throw ArgError(what + " must be an integer, got " + got(*v));
    if (v->IsUint64()) {
        if (v->GetUint64() > max)
            throw ArgError(what + " is too large (" + std::to_string(v->GetUint64()) + ", at most " +
                           std::to_string(max) + ")");
        return v->GetUint64();
    }
    if (v->IsInt64()) throw ArgError(what + " must not be negative, got " + describe_json(*v));
    throw ArgError(what + " must be an integer, got " + describe_json(*v));
}

std::optional<int64_t> Args::integer(const char* key, int64_t min, int64_t max) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    const std::string what = field_name(key);
    if (!v->IsInt64()) throw ArgError(what + " must be an integer, got " + got(*v));
    const int64_t n = v->GetInt64();
    if (n < min || n > max)
        throw ArgError(what + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                       ", got " + std::to_string(n));
    return n;
}

std::optional<double> Args::seconds(const char* key, double max) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    const std::string what = field_name(key);
    if (!v->IsNumber()) throw ArgError(what + " must be a number of seconds, got " + got(*v));
    const double d = v->GetDouble();
    if (!std::isfinite(d) || d < 0)
        throw ArgError(what + " must be a non-negative number of seconds, got " + describe_json(*v));
    if (d > max)
        throw ArgError(what + " is too large (" + describe_json(*v) + " s, at most " +
                       describe_json(rapidjson::Value(max)) + " s)");
    return d;
}

std::optional<bool> Args::boolean(const char* key) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    if (!v->IsBool()) throw ArgError(field_name(key) + " must be true or false, got " + got(*v));
    return v->GetBool();
}

std::optional<std::vector<std::string>> Args::strings(const char* key, size_t max_items, size_t max_len) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    const std::string what = field_name(key);
    if (v->IsString()) return std::vector<std::string>{expect_string(*v, what, max_len)};
    if (!v->IsArray()) throw ArgError(what + " must be a string or an array of strings, got " + got(*v));
    if (v->Size() > max_items)
        throw ArgError(what + " has too many items (" + std::to_string(v->Size()) + ", at most " +
                       std::to_string(max_items) + ")");
    std::vector<std::string> out;
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i)
        out.push_back(expect_string((*v)[i], what + "[" + std::to_string(i) + "]", max_len));
    return out;
}

size_t Args::positional_count() const {
    auto it = doc_.FindMember("args");
    if (it == doc_.MemberEnd()) return 0;
    if (it->value.IsArray()) return it->value.Size();
    return 1;  // a single positional given as a scalar
}

const rapidjson::Value* Args::positional(size_t i) const {
    auto it = doc_.FindMember("args");
    if (it == doc_.MemberEnd()) return nullptr;
    if (!it->value.IsArray()) return i == 0 ? &it->value : nullptr;
    return i < it->value.Size() ? &it->value[rapidjson::SizeType(i)] : nullptr;
}

std::vector<std::string> Args::positional_strings(size_t max_items, size_t max_len) {
    accept_positionals();
    const size_t n = positional_count();
    if (n > max_items)
        throw ArgError("too many positional arguments (" + std::to_string(n) + ", at most " +
                       std::to_string(max_items) + ")");
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i)
        out.push_back(expect_string(*positional(i), "positional argument " + std::to_string(i + 1), max_len));
    return out;
}

void Args::no_positionals(std::string_view command, std::string_view hint) {
    accept_positionals();
    auto it = doc_.FindMember("args");
    if (it == doc_.MemberEnd() || (it->value.IsArray() && it->value.Empty())) return;
    throw ArgError("args: " + std::string(command) + " takes no positional arguments" +
                   (hint.empty() ? "" : " (" + std::string(hint) + ")"));
}

void Args::finish() const {
    for (auto it = doc_.MemberBegin(); it != doc_.MemberEnd(); ++it) {
        std::string k(it->name.GetString(), it->name.GetStringLength());
        if (!used_.count(k)) throw ArgError("unknown field " + quoted(k));
    }
}

void expect_absolute_path(std::string_view path, std::string_view what) {
    const std::string w(what);
    if (path.empty()) throw ArgError(w + " is empty");
    if (path.front() != '/') throw ArgError(w + " must be an absolute path, got " + quoted(path));
    if (path.find('\0') != std::string_view::npos) throw ArgError(w + " contains a NUL byte");
    if (path.size() >= PATH_MAX) throw ArgError(w + " is too long (" + std::to_string(path.size()) + " bytes)");
    size_t pos = 0;
    while (pos < path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view comp = path.substr(pos, end - pos);
        if (comp == "." || comp == "..")
            throw ArgError(w + " must not contain \"" + std::string(comp) + "\" components: " + quoted(path));
        pos = end + 1;
    }
}

std::string expect_sha256(std::string_view text, std::string_view what) {
    const auto bad = [&] {
        return ArgError(std::string(what) + " must be 64 hex digits (SHA-256), got " + quoted(text));
    };
    if (text.size() != 64) throw bad();
    std::string out;
    out.reserve(64);
    for (char c : text) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
            out.push_back(c);
        else if (c >= 'A' && c <= 'F')
            out.push_back(char(c - 'A' + 'a'));
        else
            throw bad();
    }
    return out;
}

}  // namespace vigil::common
