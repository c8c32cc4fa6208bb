#pragma once
// Strict reader for command arguments (a JSON object). Every accessor checks
// type and bounds and throws ArgError naming the field; finish() refuses
// fields nobody asked for, so a typo is an error instead of a silent default.
//
// vigilctl's generic form `vigilctl PLUGIN VERB word1 word2 --key value`
// sends {"args": ["word1", "word2"], "key": value}: positional words arrive in
// "args" (an array; a lone scalar counts as one word). A command that takes
// positionals reads them with positional()/positional_strings(); one that
// takes none calls no_positionals(), which accepts an absent or empty "args".
//
//   vigil::common::Args a(cmd.args_json);
//   auto path = a.string("path").value_or(a.positional_string(0, "path"));
//   auto limit = a.uinteger("max_bytes", 1ull << 30).value_or(64 << 20);
//   a.finish();

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::common {

// A bad argument: the message names the field and the problem.
class ArgError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Longest string argument accepted by default (paths, user names, hashes).
inline constexpr size_t kMaxArgString = 4096;

class Args {
public:
    // Parses `json` (empty or white space means {}); ArgError when it is not an object.
    explicit Args(std::string_view json);

    bool has(const char* key) const;
    // The value of `key` or nullptr; marks it as known.
    const rapidjson::Value* raw(const char* key);

    std::optional<std::string> string(const char* key, size_t max_len = kMaxArgString);
    std::optional<uint64_t> uinteger(const char* key, uint64_t max);
    std::optional<int64_t> integer(const char* key, int64_t min, int64_t max);
    // A non-negative number of seconds (integer or fractional) up to max.
    std::optional<double> seconds(const char* key, double max);
    std::optional<bool> boolean(const char* key);
    // A string or an array of strings.
    std::optional<std::vector<std::string>> strings(const char* key, size_t max_items = 4096,
                                                    size_t max_len = kMaxArgString);

    // Positional words (vigilctl's "args"); positional(i) is nullptr when there are fewer.
    size_t positional_count() const;
    const rapidjson::Value* positional(size_t i) const;
    // Every positional as a string (marks "args" as consumed).
    std::vector<std::string> positional_strings(size_t max_items = 4096, size_t max_len = kMaxArgString);
    // Marks "args" as consumed (a command that understands positionals).
    void accept_positionals() { used_.insert("args"); }
    // Throws "args: <command> takes no positional arguments<hint>" unless
    // "args" is absent or an empty array.
    void no_positionals(std::string_view command, std::string_view hint = {});

    // Throws naming the first field that no accessor asked for.
    void finish() const;

    const rapidjson::Document& document() const { return doc_; }

private:
    rapidjson::Document doc_;
    std::set<std::string> used_;
};

// `field "name"` as errors spell it.
std::string field_name(std::string_view key);

// Checks a value read from JSON as a string (type, NUL bytes, length).
std::string expect_string(const rapidjson::Value& v, std::string_view what, size_t max_len = kMaxArgString);

// Checks that `path` is absolute and normalized (no "." or ".." components,
// no NUL, shorter than PATH_MAX). `what` names the field in the error.
void expect_absolute_path(std::string_view path, std::string_view what);

// Lower-case 64-hex-digit SHA-256 (upper case accepted), or ArgError.
std::string expect_sha256(std::string_view text, std::string_view what);

// The JSON text of a value for error messages ("got 12.5"), cut at 64 bytes.
std::string describe_json(const rapidjson::Value& v);
// "a string", "an array", ... for "must be X, got Y".
const char* json_type_name(const rapidjson::Value& v);

}  // namespace vigil::common
