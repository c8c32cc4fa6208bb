// Strict reader for command arguments (a JSON object). Every accessor checks
// the type and bounds and throws ArgError naming the field; finish() refuses
// fields nobody asked for, so a typo is an error instead of a silent default.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::response {

// A bad argument: the message names the field and the problem.
class ArgError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Longest string argument accepted (paths, user names, hashes, single args).
inline constexpr size_t kMaxArgString = 4096;

class ArgReader {
public:
    // Parses `json` (empty means {}); throws ArgError when it is not an object.
    explicit ArgReader(std::string_view json);

    bool has(const char* key) const;
    // The value of `key` or nullptr; marks it as known.
    const rapidjson::Value* raw(const char* key);

    std::optional<std::string> string(const char* key, size_t max_len = kMaxArgString);
    std::optional<uint64_t> uinteger(const char* key, uint64_t max);
    // A non-negative number of seconds (integer or fractional) up to max.
    std::optional<double> seconds(const char* key, double max);
    std::optional<bool> boolean(const char* key);

    // The vigilctl generic form puts positional words into "args" (an array).
    // These read it; positional(i) is nullptr when there are fewer.
    size_t positional_count() const;
    const rapidjson::Value* positional(size_t i) const;
    // Marks "args" as consumed (a command that understands positionals).
    void accept_positionals() { used_.insert("args"); }

    // Throws naming the first field that no accessor asked for.
    void finish() const;

    const rapidjson::Document& document() const { return doc_; }

private:
    rapidjson::Document doc_;
    std::set<std::string> used_;
};

// Checks a value read from JSON as a string field (type, NUL bytes, length).
std::string expect_string(const rapidjson::Value& v, std::string_view what, size_t max_len = kMaxArgString);

// Checks that `path` is absolute and normalized (no "." or ".." components,
// no NUL, at most PATH_MAX-1 bytes). `what` names the field in the error.
void expect_absolute_path(std::string_view path, std::string_view what);

// Lower-case 64-hex-digit SHA-256, or ArgError.
std::string expect_sha256(std::string_view text, std::string_view what);

// The JSON text of a value, for error messages ("got 12.5").
std::string describe_json(const rapidjson::Value& v);

}  // namespace vigil::response
