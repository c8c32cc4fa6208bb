#include "process/proc_reader.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

using namespace vigil::behavior;

TEST_CASE("proc reader describes the current process") {
    ProcReader r;
    auto rec = r.read(::getpid());
    REQUIRE(rec);
    const auto& i = rec->info;
    CHECK(i.pid == ::getpid());
    CHECK(i.ppid == ::getppid());
    CHECK(i.uid == ::getuid());
    CHECK(i.euid == ::geteuid());
    CHECK(i.gid == ::getgid());
    CHECK(i.exe.find("behavior_core_tests") != std::string::npos);
    REQUIRE(!i.argv.empty());
    CHECK(i.argv[0].find("behavior_core_tests") != std::string::npos);
    char cwd[4096];
    REQUIRE(::getcwd(cwd, sizeof cwd));
    CHECK(i.cwd == cwd);
    CHECK(i.mnt_ns != 0);
    CHECK(i.net_ns != 0);
    CHECK(rec->exe_key.valid());
    CHECK(i.start_time_ns > 0);
    CHECK(i.start_time_ns <= ProcReader::now_realtime_ns());
    CHECK((i.flags & VIGIL_PROC_FLAG_KNOWN) != 0);
}

TEST_CASE("proc reader says nothing about a pid that does not exist") {
    CHECK_FALSE(ProcReader().read(0x3ffffff0).has_value());
}

TEST_CASE("container id comes from the cgroup path") {
    std::string id(64, 'a');
    id[3] = '0';
    CHECK(container_id_from_cgroup("0::/system.slice/docker-" + id + ".scope\n") == id);
    CHECK(container_id_from_cgroup("0::/kubepods/burstable/pod1/" + id + "\n") == id);
    CHECK(container_id_from_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n").empty());
    CHECK(container_id_from_cgroup("0::/x/" + id + "f\n").empty());  // 65 hex digits: not an id
}
