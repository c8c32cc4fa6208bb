#include "json_args.hpp"

#include <rapidjson/error/en.h>

#include <climits>
#include <cmath>

#include "json_util.hpp"

namespace vigil::response {

namespace {
std::string quoted(std::string_view s) { return "\"" + sanitize_utf8(s) + "\""; }

const char* type_name(const rapidjson::Value& v) {
    switch (v.GetType()) {
        case rapidjson::kNullType:
            return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType:
            return "a boolean";
        case rapidjson::kObjectType:
            return "an object";
        case rapidjson::kArrayType:
            return "an array";
        case rapidjson::kStringType:
            return "a string";
        case rapidjson::kNumberType:
            return "a number";
    }
    return "unknown";
}
}  // namespace

std::string describe_json(const rapidjson::Value& v) {
    std::string s = to_json(v);
    if (s.size() > 64) s = s.substr(0, 61) + "...";
    return s;
}

ArgReader::ArgReader(std::string_view json) {
    std::string_view trimmed = json;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\n' || trimmed.front() == '\t'))
        trimmed.remove_prefix(1);
    if (trimmed.empty()) {
        doc_.SetObject();
        return;
    }
    doc_.Parse<rapidjson::kParseStopWhenDoneFlag>(json.data(), json.size());
    if (doc_.HasParseError())
        throw ArgError(std::string("arguments are not valid JSON: ") +
                       rapidjson::GetParseError_En(doc_.GetParseError()) + " at offset " +
                       std::to_string(doc_.GetErrorOffset()));
    if (!doc_.IsObject())
        throw ArgError(std::string("arguments must be a JSON object, got ") + type_name(doc_));
}

bool ArgReader::has(const char* key) const { return doc_.HasMember(key); }

const rapidjson::Value* ArgReader::raw(const char* key) {
    used_.insert(key);
    auto it = doc_.FindMember(key);
    return it == doc_.MemberEnd() ? nullptr : &it->value;
}

std::string expect_string(const rapidjson::Value& v, std::string_view what, size_t max_len) {
    if (!v.IsString())
        throw ArgError(std::string(what) + " must be a string, got " + type_name(v) + " " + describe_json(v));
    std::string s(v.GetString(), v.GetStringLength());
    if (s.find('\0') != std::string::npos) throw ArgError(std::string(what) + " contains a NUL byte");
    if (s.size() > max_len)
        throw ArgError(std::string(what) + " is too long (" + std::to_string(s.size()) + " bytes, at most " +
                       std::to_string(max_len) + ")");
    return s;
}

std::optional<std::string> ArgReader::string(const char* key, size_t max_len) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    return expect_string(*v, std::string("field ") + quoted(key), max_len);
}

std::optional<uint64_t> ArgReader::uinteger(const char* key, uint64_t max) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    const std::string what = std::string("field ") + quoted(key);
    if (!v->IsNumber())
        throw ArgError(what + " must be an integer, got " + type_name(*v) + " " + describe_json(*v));
    if (v->IsUint64()) {
        if (v->GetUint64() > max)
            throw ArgError(what + " is too large (" + std::to_string(v->GetUint64()) + ", at most " +
                           std::to_string(max) + ")");
        return v->GetUint64();
    }
    if (v->IsInt64()) throw ArgError(what + " must not be negative, got " + describe_json(*v));
    throw ArgError(what + " must be an integer, got " + describe_json(*v));
}

std::optional<double> ArgReader::seconds(const char* key, double max) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    const std::string what = std::string("field ") + quoted(key);
    if (!v->IsNumber())
        throw ArgError(what + " must be a number of seconds, got " + type_name(*v) + " " + describe_json(*v));
    double d = v->GetDouble();
    if (!std::isfinite(d) || d < 0)
        throw ArgError(what + " must be a non-negative number of seconds, got " + describe_json(*v));
    if (d > max)
        throw ArgError(what + " is too large (" + describe_json(*v) + " s, at most " +
                       describe_json(rapidjson::Value(max)) + " s)");
    return d;
}

std::optional<bool> ArgReader::boolean(const char* key) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    if (!v->IsBool())
        throw ArgError(std::string("field ") + quoted(key) + " must be true or false, got " + type_name(*v) +
                       " " + describe_json(*v));
    return v->GetBool();
}

size_t ArgReader::positional_count() const {
    auto it = doc_.FindMember("args");
    if (it == doc_.MemberEnd()) return 0;
    if (it->value.IsArray()) return it->value.Size();
    return 1;  // a single positional given as a scalar
}

const rapidjson::Value* ArgReader::positional(size_t i) const {
    auto it = doc_.FindMember("args");
    if (it == doc_.MemberEnd()) return nullptr;
    if (!it->value.IsArray()) return i == 0 ? &it->value : nullptr;
    return i < it->value.Size() ? &it->value[rapidjson::SizeType(i)] : nullptr;
}

void ArgReader::finish() const {
    for (auto it = doc_.MemberBegin(); it != doc_.MemberEnd(); ++it) {
        std::string k(it->name.GetString(), it->name.GetStringLength());
        if (!used_.count(k)) throw ArgError("unknown field " + quoted(k));
    }
}

void expect_absolute_path(std::string_view path, std::string_view what) {
    if (path.empty()) throw ArgError(std::string(what) + " is empty");
    if (path.front() != '/')
        throw ArgError(std::string(what) + " must be an absolute path, got " + quoted(path));
    if (path.find('\0') != std::string_view::npos) throw ArgError(std::string(what) + " contains a NUL byte");
    if (path.size() >= PATH_MAX)
        throw ArgError(std::string(what) + " is too long (" + std::to_string(path.size()) + " bytes)");
    size_t pos = 0;
    while (pos < path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        std::string_view comp = path.substr(pos, end - pos);
        if (comp == "." || comp == "..")
            throw ArgError(std::string(what) + " must not contain \"" + std::string(comp) +
                           "\" components: " + quoted(path));
        pos = end + 1;
    }
}

std::string expect_sha256(std::string_view text, std::string_view what) {
    std::string out;
    if (text.size() != 64)
        throw ArgError(std::string(what) + " must be 64 hex digits (SHA-256), got " + quoted(text));
    for (char c : text) {
        if (c >= '0' && c <= '9')
            out.push_back(c);
        else if (c >= 'a' && c <= 'f')
            out.push_back(c);
        else if (c >= 'A' && c <= 'F')
            out.push_back(char(c - 'A' + 'a'));
        else
            throw ArgError(std::string(what) + " must be 64 hex digits (SHA-256), got " + quoted(text));
    }
    return out;
}

}  // namespace vigil::response
