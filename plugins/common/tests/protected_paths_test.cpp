#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/common/protected_paths.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::common;

TEST_CASE("protected_paths: the defaults cover persistence and agent locations") {
    PathRules rules(default_protected_paths());
    for (const char* p : {"/etc/sudoers.d/evil", "/etc/ssh/sshd_config", "/root/.ssh/authorized_keys", "/root",
                          "/etc/cron.d/job", "/etc/crontab", "/etc/cron.daily/x", "/etc/systemd/system/x.service",
                          "/etc/ld.so.preload", "/etc/vigil/vigil.yaml", "/usr/local/bin/tool",
                          "/var/spool/cron/crontabs/root"})
        CHECK_MESSAGE(rules.match(p), p);
    CHECK(rules.match("/etc/cron.allow"));  // "/etc/cron*" is any /etc name starting with cron
    CHECK_FALSE(rules.match("/home/user/.bashrc"));
    CHECK_FALSE(rules.match("/tmp/cron.d/x"));
}

TEST_CASE("protected_paths: a hard link to an exact protected file is caught by inode") {
    vigil::testing::TempDir t;
    std::string target = t.write("protected", "x");
    std::string link = (t / "link").string();
    REQUIRE(::link(target.c_str(), link.c_str()) == 0);
    PathRules rules({target, (t / "tree").string() + "/**"});
    struct stat st {};
    REQUIRE(::lstat(link.c_str(), &st) == 0);
    CHECK_FALSE(rules.match(link));
    CHECK(rules.protects_inode(st) == target);
    std::string other = t.write("other", "y");
    REQUIRE(::lstat(other.c_str(), &st) == 0);
    CHECK_FALSE(rules.protects_inode(st));
}
