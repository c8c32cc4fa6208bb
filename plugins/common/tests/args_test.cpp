#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "vigil/common/args.hpp"

using namespace vigil::common;

namespace {
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ArgError& e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST_CASE("args: empty input is an empty object; non-objects are refused with a reason") {
    Args empty("  ");
    CHECK_NOTHROW(empty.finish());
    CHECK(error_of([] { Args a("[1]"); }) == "arguments must be a JSON object, got an array");
    CHECK(error_of([] { Args a("{"); }).rfind("arguments are not valid JSON: ", 0) == 0);
}

TEST_CASE("args: typed accessors name the field and the problem") {
    Args a(R"({"path":"/x","n":5,"neg":-1,"t":1.5,"b":true,"s":["a","b"],"one":"c","big":100})");
    CHECK(a.string("path") == "/x");
    CHECK(a.uinteger("n", 10) == 5u);
    CHECK(a.integer("neg", -5, 5) == -1);
    CHECK(a.seconds("t", 10) == 1.5);
    CHECK(a.boolean("b") == true);
    CHECK(a.strings("s") == std::vector<std::string>{"a", "b"});
    CHECK(a.strings("one") == std::vector<std::string>{"c"});
    CHECK_FALSE(a.string("absent"));
    CHECK(error_of([&] { a.uinteger("big", 10); }) == "field \"big\" is too large (100, at most 10)");
    CHECK(error_of([&] { a.uinteger("neg", 10); }) == "field \"neg\" must not be negative, got -1");
    CHECK(error_of([&] { a.string("n"); }) == "field \"n\" must be a string, got a number 5");
    CHECK(error_of([&] { a.boolean("path"); }) == "field \"path\" must be true or false, got a string \"/x\"");
    CHECK(error_of([&] { a.integer("big", 0, 10); }) == "field \"big\" must be between 0 and 10, got 100");
    CHECK(error_of([&] { a.seconds("big", 10); }) == "field \"big\" is too large (100 s, at most 10.0 s)");
    CHECK(error_of([&] { a.strings("n"); }).find("must be a string or an array of strings") != std::string::npos);
    CHECK(error_of([&] { a.string("path", 1); }) == "field \"path\" is too long (2 bytes, at most 1)");
}

TEST_CASE("args: finish refuses fields nobody read") {
    Args a(R"({"known":1,"typo":2})");
    a.uinteger("known", 5);
    CHECK(error_of([&] { a.finish(); }) == "unknown field \"typo\"");
}

TEST_CASE("args: vigilctl positional convention") {
    Args a(R"({"args":["/bin/ls","-l"],"timeout_s":3})");
    CHECK(a.positional_count() == 2);
    CHECK(a.positional(0)->GetString() == std::string("/bin/ls"));
    CHECK(a.positional(2) == nullptr);
    CHECK(a.positional_strings() == std::vector<std::string>{"/bin/ls", "-l"});
    a.seconds("timeout_s", 10);
    CHECK_NOTHROW(a.finish());

    Args scalar(R"({"args":"one"})");
    CHECK(scalar.positional_count() == 1);
    CHECK(scalar.positional_strings() == std::vector<std::string>{"one"});

    Args none(R"({"args":[]})");
    CHECK_NOTHROW(none.no_positionals("isolation.off"));
    CHECK_NOTHROW(none.finish());
    Args some(R"({"args":["x"]})");
    CHECK(error_of([&] { some.no_positionals("isolation.on", "use --timeout_s"); }) ==
          "args: isolation.on takes no positional arguments (use --timeout_s)");
    Args unread(R"({"args":["x"]})");
    CHECK(error_of([&] { unread.finish(); }) == "unknown field \"args\"");
    Args numbers(R"({"args":[1]})");
    CHECK(error_of([&] { numbers.positional_strings(); }) ==
          "positional argument 1 must be a string, got a number 1");
}

TEST_CASE("args: paths, hashes and hostile strings") {
    CHECK_NOTHROW(expect_absolute_path("/etc/hosts", "path"));
    CHECK(error_of([] { expect_absolute_path("etc", "path"); }) == "path must be an absolute path, got \"etc\"");
    CHECK(error_of([] { expect_absolute_path("/a/../b", "path"); }) ==
          "path must not contain \"..\" components: \"/a/../b\"");
    CHECK(error_of([] { expect_absolute_path("", "path"); }) == "path is empty");
    CHECK(expect_sha256(std::string(64, 'A'), "sha") == std::string(64, 'a'));
    CHECK_THROWS_AS(expect_sha256("abc", "sha"), ArgError);
    // A NUL inside a JSON string and invalid UTF-8 in an error message.
    Args a("{\"p\":\"a\\u0000b\",\"\xff\":1}");
    CHECK(error_of([&] { a.string("p"); }) == "field \"p\" contains a NUL byte");
    CHECK(error_of([&] { a.finish(); }) == "unknown field \"\xEF\xBF\xBD\"");
}
