#include "process/exe_hasher.hpp"
#include "process/process_table.hpp"
#include "src/path_filter.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <unistd.h>

using namespace behavior;

namespace {
ProcessTable::Ptr rec(int32_t pid, const std::string& exe) {
    auto r = std::make_shared<ProcessRecord>();
    r->info.pid = pid;
    r->info.exe = exe;
    return r;
}
}  // namespace

TEST_CASE("process table keeps live entries and moves exited ones aside") {
    ProcessTable t({8, 4});
    t.put(rec(10, "/bin/a"));
    REQUIRE(t.find(10));
    CHECK(t.find(10)->info.exe == "/bin/a");
    auto gone = t.remove_on_exit(10);
    REQUIRE(gone);
    CHECK(gone->exited);
    // Late events still find the exited process.
    REQUIRE(t.find(10));
    CHECK(t.find(10)->exited);
    // A new process reusing the pid wins over the exited one.
    t.put(rec(10, "/bin/b"));
    CHECK(t.find(10)->info.exe == "/bin/b");
    CHECK_FALSE(t.find(10)->exited);
}

TEST_CASE("process table memory stays bounded under churn") {
    ProcessTable t({1024, 64});
    for (int32_t pid = 1; pid <= 200000; ++pid) {
        t.put(rec(pid, "/bin/true"));
        t.remove_on_exit(pid);
    }
    auto s = t.stats();
    CHECK(s.live == 0);
    CHECK(s.exited == 64);
    // Live processes whose exit was never seen are capped too.
    for (int32_t pid = 1; pid <= 5000; ++pid) t.put(rec(pid, "/bin/sleep"));
    CHECK(t.stats().live == 1024);
    CHECK(t.stats().evicted_live == 5000 - 1024);
}

TEST_CASE("exe hasher caches by file identity and notices changes") {
    char dir[] = "/tmp/behavior_hash_XXXXXX";
    REQUIRE(::mkdtemp(dir));
    std::string f = std::string(dir) + "/prog";
    { std::ofstream(f) << "abc"; }
    ExeHasher h(16, 1 << 20);
    // sha256("abc")
    CHECK(h.hash(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(h.hashed_files() == 1);
    CHECK(h.hash(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(h.hashed_files() == 1);  // from the cache
    ::usleep(20000);
    { std::ofstream(f) << "abcd"; }
    CHECK(h.hash(f) == "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");
    CHECK(h.hashed_files() == 2);
    // A file above the size limit is not hashed.
    ExeHasher small(16, 2);
    CHECK(small.hash(f).empty());
    ::unlink(f.c_str());
    ::rmdir(dir);
}

TEST_CASE("path filter matches whole components") {
    PathFilter f({"/tmp/w", "/etc"}, {"/tmp/w/skip"});
    CHECK(f.allows("/tmp/w"));
    CHECK(f.allows("/tmp/w/a/b"));
    CHECK_FALSE(f.allows("/tmp/wx"));
    CHECK_FALSE(f.allows("/tmp/w/skip/x"));
    CHECK(f.allows("/tmp/w/skipper"));
    CHECK(f.allows("/etc/passwd"));
    CHECK_FALSE(f.allows("/var/log/x"));
    CHECK_FALSE(f.allows("relative"));
    f.exclude("/etc/vigil/");
    CHECK_FALSE(f.allows("/etc/vigil/state"));
}
