#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <stdexcept>

#include "fail_policy.hpp"
#include "fs_discovery.hpp"
#include "settings.hpp"

using namespace vigil::file_threat;

namespace {
struct stat owned(uid_t uid, mode_t mode) {
    struct stat st {};
    st.st_uid = uid;
    st.st_mode = S_IFREG | mode;
    return st;
}
}  // namespace

TEST_CASE("file_threat fail policy: exec of untrusted files is denied, opens are allowed by default") {
    FailPolicy p = parse_settings("{}").on_access.fail;
    CHECK(p.exec == FailMode::DenyUntrusted);
    CHECK(p.open == FailMode::Allow);
    CHECK(p.script == FailMode::Allow);
    CHECK(p.allows(AccessKind::Exec, "/usr/bin/true", owned(0, 0755)));
    CHECK_FALSE(p.allows(AccessKind::Exec, "/usr/bin/evil", owned(1000, 0755)));    // a user's file
    CHECK_FALSE(p.allows(AccessKind::Exec, "/usr/local/x", owned(0, 0777)));        // writable by anyone
    CHECK_FALSE(p.allows(AccessKind::Exec, "/home/u/a.out", owned(0, 0755)));       // outside trusted paths
    CHECK_FALSE(p.allows(AccessKind::Exec, "/usrx/bin/true", owned(0, 0755)));      // prefix, not a substring
    CHECK(p.allows(AccessKind::Open, "/home/u/a.out", owned(1000, 0644)));
    p.open = FailMode::Deny;
    CHECK_FALSE(p.allows(AccessKind::Open, "/usr/bin/true", owned(0, 0755)));
    CHECK(parse_fail_mode("deny_untrusted") == FailMode::DenyUntrusted);
    CHECK_FALSE(parse_fail_mode("maybe"));
    CHECK(fail_mode_name(FailMode::Deny) == "deny");
}

TEST_CASE("file_threat fail policy: interpreters by executable name") {
    const auto& names = default_interpreters();
    CHECK(is_interpreter(names, "/usr/bin/python3.11"));
    CHECK(is_interpreter(names, "/bin/bash"));
    CHECK(is_interpreter(names, "/usr/bin/perl5.36.0"));
    CHECK(is_interpreter(names, "/usr/bin/dash (deleted)"));
    CHECK_FALSE(is_interpreter(names, "/usr/bin/cat"));
    CHECK_FALSE(is_interpreter(names, "/usr/bin/shred"));
    CHECK_FALSE(is_interpreter(names, ""));
}

TEST_CASE("file_threat settings: fail modes, trusted paths, interpreters, file system coverage") {
    auto s = parse_settings(R"({"on_access":{"fail_mode":{"exec":"deny","open":"deny_untrusted"},
        "trusted_paths":["/srv/bin/"],"interpreters":["tclsh"],"local_filesystems":false,"scan_interpreters":false}})");
    CHECK(s.on_access.fail.exec == FailMode::Deny);
    CHECK(s.on_access.fail.open == FailMode::DenyUntrusted);
    CHECK(s.on_access.fail.script == FailMode::Allow);
    CHECK(s.on_access.fail.trusted_paths == std::vector<std::string>{"/srv/bin/"});
    CHECK(s.on_access.interpreters == std::vector<std::string>{"tclsh"});
    CHECK_FALSE(s.on_access.local_filesystems);
    CHECK_FALSE(s.on_access.scan_interpreters);
    auto d = parse_settings("{}");
    CHECK(d.on_access.local_filesystems);
    CHECK(d.on_access.scan_interpreters);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"on_access":{"fail_mode":{"exec":"later"}}})"),
                         "setting 'on_access.fail_mode.exec': must be one of allow, deny, deny_untrusted",
                         std::invalid_argument);
    CHECK_THROWS_AS(parse_settings(R"({"on_access":{"fail_mode":"deny"}})"), std::invalid_argument);
}

TEST_CASE("file_threat file systems: every writable local one, one mark per superblock, skips named") {
    const char* text =
        "22 1 0:21 / /proc rw,relatime - proc proc rw\n"
        "25 1 252:1 / / rw,relatime - ext4 /dev/vda1 rw\n"
        "26 25 0:23 / /dev/shm rw,nosuid - tmpfs tmpfs rw\n"
        "27 25 0:24 / /run/user/1000 rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=100k\n"
        "28 25 252:1 /srv /srv/bind rw - ext4 /dev/vda1 rw\n"
        "29 25 252:2 / /mnt/ro ro - ext4 /dev/vda2 rw\n"
        "30 25 252:2 / /mnt/rw\\040dir rw - ext4 /dev/vda2 rw\n"
        "31 25 0:40 / /mnt/nfs rw - nfs4 server:/x rw\n"
        "32 25 0:41 / /home/u/fuse rw - fuse.sshfs u@h:/ rw\n"
        "33 25 0:42 / /media/cd ro - iso9660 /dev/sr0 ro\n"
        "34 25 0:43 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
        "36 26 0:45 / /dev/shm rw - tmpfs tmpfs rw\n"
        "garbage line\n"
        "35 25 0:44 / /broken rw\n";
    auto mounts = parse_mountinfo(text);
    REQUIRE(mounts.size() == 12);
    CHECK(mounts[6].mount_point == "/mnt/rw dir");
    CHECK(mounts[5].read_only);
    CHECK_FALSE(mounts[6].read_only);
    CHECK(mounts[1].dev == makedev(252, 1));
    auto choices = choose_local_filesystems(mounts);
    std::vector<std::string> marked, skipped;
    for (const auto& c : choices) (c.skip_reason.empty() ? marked : skipped).push_back(c.mount_point + " " + c.skip_reason);
    CHECK(marked == std::vector<std::string>{"/ ", "/run/user/1000 ", "/mnt/rw dir ", "/dev/shm "});
    REQUIRE(skipped.size() == 6);
    CHECK(skipped[1] == "/dev/shm hidden under a later mount at the same path");  // the first /dev/shm
    skipped.erase(skipped.begin() + 1);
    CHECK(skipped[0].find("pseudo") != std::string::npos);
    CHECK(skipped[1].find("network") != std::string::npos);
    CHECK(skipped[2].find("FUSE") != std::string::npos);
    CHECK(skipped[3] == "/media/cd read-only");
    CHECK(skipped[4].find("kernel interface") != std::string::npos);
}
