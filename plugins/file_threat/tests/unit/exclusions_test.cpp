#include <doctest/doctest.h>

#include "exclusions.hpp"

using namespace vigil::file_threat;

TEST_CASE("file_threat exclusions: prefixes on component boundaries and masks") {
    Exclusions e({"/srv/data/", "/var/cache", "*.log", "/home/*/tmp/*"});
    CHECK(e.excluded("/srv/data"));
    CHECK(e.excluded("/srv/data/x/y"));
    CHECK_FALSE(e.excluded("/srv/database"));
    CHECK(e.excluded("/var/cache/apt/x.deb"));
    CHECK(e.excluded("/opt/app/run.log"));
    CHECK(e.excluded("/home/bob/tmp/a"));
    CHECK_FALSE(e.excluded("/home/bob/docs/a"));
    CHECK_FALSE(e.excluded("/etc/passwd"));
    CHECK(Exclusions({"/"}).excluded("/anything"));
    CHECK_FALSE(Exclusions().excluded("/anything"));
}
