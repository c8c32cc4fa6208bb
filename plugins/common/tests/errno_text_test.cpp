#include <doctest/doctest.h>

#include <cerrno>
#include <string>

#include "vigil/common/errno_text.hpp"

using namespace vigil::common;

TEST_CASE("errno_text: text of a code and of an unknown one") {
    CHECK(errno_text(ENOENT) == "No such file or directory");
    CHECK_FALSE(errno_text(99999).empty());
}

TEST_CASE("errno_text: sys_error keeps the code and names what failed") {
    auto e = sys_error("cannot open /x", EACCES);
    CHECK(e.code().value() == EACCES);
    CHECK(std::string(e.what()) == "cannot open /x: Permission denied");
}
