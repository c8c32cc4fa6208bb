#include <doctest/doctest.h>

#include "path_rules.hpp"
#include "settings.hpp"

using namespace vigil::response;

TEST_CASE("response_path_rules: collapse_slashes") {
    CHECK(collapse_slashes("/a//b/") == "/a/b");
    CHECK(collapse_slashes("/") == "/");
    CHECK(collapse_slashes("//") == "/");
}

TEST_CASE("response_path_rules: the defaults protect the system, not user data") {
    PathRules rules(default_protected_paths());
    CHECK(rules.match("/"));
    CHECK(rules.match("/etc/passwd"));
    CHECK(rules.match("/etc/shadow"));
    CHECK(rules.match("//etc//shadow"));
    CHECK(rules.match("/usr/bin/ls"));
    CHECK(rules.match("/bin/sh"));
    CHECK(rules.match("/boot/vmlinuz"));
    CHECK(rules.match("/lib/x86_64-linux-gnu/libc.so.6"));
    CHECK(rules.match("/lib64/ld-linux-x86-64.so.2"));
    CHECK(rules.match("/usr/lib/os-release"));
    CHECK(rules.match("/etc/pam.d/common-auth"));
    CHECK_FALSE(rules.match("/tmp/evil"));
    CHECK_FALSE(rules.match("/etc/passwd.bak"));
    // Persistence and agent locations are protected since the agent-hardening review.
    CHECK(rules.match("/etc/cron.d/evil"));
    CHECK(rules.match("/usr/local/bin/dropper"));
    CHECK_FALSE(rules.match("/home/user/.bashrc"));
    CHECK_FALSE(rules.match("/bins/x"));
}

TEST_CASE("response_path_rules: exact, subtree and glob patterns") {
    PathRules rules({"/data/keep", "/srv/**", "/opt/*/conf"});
    CHECK(rules.match("/data/keep") == std::string("/data/keep"));
    CHECK_FALSE(rules.match("/data/keep/inner"));
    CHECK(rules.match("/srv") == std::string("/srv/**"));
    CHECK(rules.match("/srv/a/b/c"));
    CHECK_FALSE(rules.match("/srvx/a"));
    CHECK(rules.match("/opt/app/conf"));
    CHECK_FALSE(rules.match("/opt/app/sub/conf"));
    PathRules all({"/**"});
    CHECK(all.match("/anything/at/all"));
}
