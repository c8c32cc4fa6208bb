#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "vigil/common/proc.hpp"
#include "vigil/common/time.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::common;

TEST_CASE("proc: parse_proc_stat with spaces and parentheses in comm") {
    struct Case {
        std::string text, comm;
        pid_t ppid;
        uint64_t start_ticks;
    };
    const Case cases[] = {
        {"4242 (a) b (c)) S 1 4242 4242 34817 4242 4194560 100 0 0 0 3 4 0 0 20 0 1 0 123456 1000 200 "
         "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
         "a) b (c)", 1, 123456},
        // (formerly response's own test of the same parser)
        {"4242 (a) (b c) S 17 4242 4242 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 987654 1000 100", "a) (b c", 17,
         987654},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        auto s = parse_proc_stat(c.text);
        REQUIRE(s);
        CHECK(s->pid == 4242);
        CHECK(s->comm == c.comm);
        CHECK(s->state == 'S');
        CHECK(s->ppid == c.ppid);
        CHECK(s->pgrp == 4242);
        CHECK(s->session == 4242);
        CHECK(s->flags == 4194560);
        CHECK(s->start_ticks == c.start_ticks);
        CHECK_FALSE(s->kernel_thread());
    }
    auto first = parse_proc_stat(cases[0].text);
    CHECK(first->tty_nr == 34817);
    for (const char* bad : {"12 (x) S 1 2", "garbage", "x (y) S 1 1 1 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 5", "1 (x) S 0"})
        CHECK_FALSE(parse_proc_stat(bad));
}

TEST_CASE("proc: parse_proc_status") {
    auto s = parse_proc_status("Name:\tmy prog\nPPid:\t7\nUid:\t1 2 3 4\nGid:\t5\t6\t7\t8\n");
    REQUIRE(s);
    CHECK(s->name == "my prog");
    CHECK(s->ppid == 7);
    CHECK(s->uid == 1);
    CHECK(s->euid == 2);
    CHECK(s->fsuid == 4);
    CHECK(s->gid == 5);
    CHECK(s->egid == 6);
    CHECK_FALSE(parse_proc_status(""));
}

TEST_CASE("proc: the real /proc entry of this process") {
    ProcFs proc;
    const pid_t me = ::getpid();
    auto st = proc.stat(me);
    REQUIRE(st);
    CHECK(st->pid == me);
    CHECK(st->ppid == ::getppid());
    auto status = proc.status(me);
    REQUIRE(status);
    CHECK(status->uid == ::getuid());
    auto exe = proc.exe(me);
    REQUIRE(exe);
    CHECK(exe->path == std::filesystem::read_symlink("/proc/self/exe").string());
    CHECK_FALSE(exe->deleted);
    CHECK_FALSE(proc.cmdline(me).empty());
    CHECK(proc.cwd(me) == std::filesystem::current_path().string());
    CHECK(proc.namespace_inode(me, "mnt") > 0);
    // Started within the last day, not in the future (one tick of tolerance).
    const int64_t start = int64_t(proc.start_time_ns(me));
    CHECK(start <= realtime_ns() + 20000000);
    CHECK(start > realtime_ns() - int64_t(86400) * 1000000000);
    auto pids = proc.pids();
    CHECK(std::find(pids.begin(), pids.end(), me) != pids.end());
    CHECK(pid_max() > 0);
}

TEST_CASE("proc: a fake root, vanished processes and deleted executables") {
    vigil::testing::TempDir dir;
    dir.write("77/stat", "77 (x) R 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 50 0 0\n");
    dir.write("77/cmdline", std::string("a\0b c\0", 6));
    dir.write("notapid/stat", "");
    std::filesystem::create_symlink("/usr/bin/x (deleted)", dir / "77" / "exe");
    ProcFs proc(dir.path().string());
    CHECK(proc.path(77, "stat") == (dir / "77" / "stat").string());
    CHECK(proc.stat(77)->start_ticks == 50);
    CHECK(proc.cmdline(77) == std::vector<std::string>{"a", "b c"});
    CHECK(proc.exe(77)->path == "/usr/bin/x");
    CHECK(proc.exe(77)->deleted);
    CHECK(proc.pids() == std::vector<pid_t>{77});
    CHECK_FALSE(proc.stat(78));
    CHECK_FALSE(proc.exe(78));
    CHECK(proc.start_time_ns(78) == 0);
}

TEST_CASE("proc: tick conversion and argv helpers") {
    const uint64_t hz = clock_ticks_per_second();
    CHECK(ticks_to_boottime_ns(hz * 3) == 3000000000ull);
    CHECK(ticks_to_boottime_ns(1) == 1000000000ull / hz);
    CHECK(join_argv({"a", "b c"}) == "a b c");
    CHECK(split_nul(std::string("x\0\0y", 4)) == std::vector<std::string>{"x", "", "y"});
}
