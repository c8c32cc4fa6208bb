#include <doctest/doctest.h>

#include "vigil/common/user_names.hpp"

using namespace vigil::common;

TEST_CASE("user_names: root by id, an unknown id as its number") {
    CHECK(user_name(0) == "root");
    CHECK(group_name(0) == "root");
    CHECK(user_name_or_id(0) == "root");
    // No system gives these ids a name (nobody is 65534; 4294967294 is (uid_t)-2).
    CHECK_FALSE(user_name(4294967294u));
    CHECK(user_name_or_id(4294967294u) == "4294967294");
    CHECK(group_name_or_id(4294967294u) == "4294967294");
}
