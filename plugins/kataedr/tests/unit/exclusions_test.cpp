#include "exclusions.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace vigil::kataedr;

TEST_CASE("exclusions: exe glob, cmdline regex, and both") {
    Exclusions ex({{"/usr/lib/*", ""}, {"", "^/usr/bin/python3 .*backup\\.py"}, {"/opt/agent", "--quiet"}});
    CHECK(ex.excluded("/usr/lib/systemd/systemd-journald", "x"));  // '*' crosses '/'
    CHECK_FALSE(ex.excluded("/usr/bin/ls", "ls"));
    CHECK(ex.excluded("/usr/bin/python3", "/usr/bin/python3 /srv/backup.py --all"));
    CHECK_FALSE(ex.excluded("/usr/bin/python3", "/usr/bin/python3 /srv/app.py"));
    CHECK(ex.excluded("/opt/agent", "/opt/agent --quiet"));
    CHECK_FALSE(ex.excluded("/opt/agent", "/opt/agent --loud"));  // both fields must match
    CHECK_FALSE(ex.excluded("/opt/other", "--quiet"));
}

TEST_CASE("exclusions: no rules exclude nothing; invalid UTF-8 does not match") {
    Exclusions none(std::vector<ExclusionRule>{});
    CHECK(none.empty());
    CHECK_FALSE(none.excluded("/bin/sh", "sh"));
    Exclusions ex(std::vector<ExclusionRule>{{"", "abc"}});
    CHECK_FALSE(ex.excluded("/x", std::string("\xff\xfe abc", 6)));
}

TEST_CASE("exclusions: a bad regex names the rule") {
    CHECK_THROWS_WITH_AS(Exclusions({{"/a", ""}, {"", "(unclosed"}}),
                         doctest::Contains("exclusions[1].cmdline"), std::invalid_argument);
}
