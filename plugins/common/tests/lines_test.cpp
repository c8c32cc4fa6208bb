#include <doctest/doctest.h>

#include "vigil/common/lines.hpp"

using vigil::common::split_lines;
using Lines = std::vector<std::string_view>;

TEST_CASE("lines: split at newlines, the last line with or without one") {
    CHECK(split_lines("") == Lines{});
    CHECK(split_lines("a") == Lines{"a"});
    CHECK(split_lines("a\n") == Lines{"a"});
    CHECK(split_lines("a\nb") == Lines{"a", "b"});
    CHECK(split_lines("a\n\nb\n") == Lines{"a", "", "b"});
    CHECK(split_lines("\n") == Lines{""});
    CHECK(split_lines("a\r\nb") == Lines{"a\r", "b"});  // only '\n' ends a line
}
