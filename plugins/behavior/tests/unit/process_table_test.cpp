#include "process/exe_hasher.hpp"
#include "process/process_table.hpp"
#include "path_filter.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace vigil::behavior;

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
    // Rewritten in place at the same size with its mtime set back (`touch -r`): ctime gives
    // it away, so the old digest is not served from the cache.
    struct stat before{};
    REQUIRE(::stat(f.c_str(), &before) == 0);
    ::usleep(20000);
    { std::ofstream(f) << "abce"; }
    timespec times[2] = {before.st_atim, before.st_mtim};
    REQUIRE(::utimensat(AT_FDCWD, f.c_str(), times, 0) == 0);
    struct stat after{};
    REQUIRE(::stat(f.c_str(), &after) == 0);
    CHECK(after.st_size == before.st_size);
    CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    CHECK(h.hash(f, exe_key_of(after)) == "84e73dc50f2be9000ab2a87f8026c1f45e1fec954af502e9904031645b190d4f");
    CHECK(h.hashed_files() == 3);
    // A sensor that cannot read ctime (key without it) still finds and fills the cache.
    ExeKey no_ctime = exe_key_of(after);
    no_ctime.ctime_ns = 0;
    ExeHasher blind(16, 1 << 20);
    std::string d = blind.hash(f, no_ctime);
    CHECK(d == h.hash(f, exe_key_of(after)));
    CHECK(blind.cached(no_ctime) == d);
    CHECK(blind.hashed_files() == 1);
    // A file above the size limit is not hashed.
    ExeHasher small(16, 2);
    CHECK(small.hash(f).empty());
    ::unlink(f.c_str());
    ::rmdir(dir);
}

TEST_CASE("exe hash cache survives a restart; a damaged file is reported, never trusted") {
    char dir[] = "/tmp/behavior_hash_XXXXXX";
    REQUIRE(::mkdtemp(dir));
    const std::string a = std::string(dir) + "/a", b = std::string(dir) + "/b", cache = std::string(dir) + "/exe_hashes";
    { std::ofstream(a) << "abc"; }
    { std::ofstream(b) << "abcd"; }
    struct stat sa{}, sb{};
    REQUIRE(::stat(a.c_str(), &sa) == 0);
    REQUIRE(::stat(b.c_str(), &sb) == 0);
    ExeHasher first(16, 1 << 20);
    const std::string da = first.hash(a), db = first.hash(b);
    REQUIRE(da.size() == 64);
    CHECK(first.save(cache).empty());
    struct stat sc{};
    REQUIRE(::stat(cache.c_str(), &sc) == 0);
    CHECK((sc.st_mode & 0777) == 0600);

    ExeHasher next(16, 1 << 20);
    auto r = next.load(cache);
    CHECK(r.error.empty());
    CHECK(r.loaded == 2);
    CHECK(r.skipped == 0);
    CHECK(next.hash(a, exe_key_of(sa)) == da);
    CHECK(next.hash(b, exe_key_of(sb)) == db);
    CHECK(next.hashed_files() == 0);  // both from the saved cache, no file read

    // Damaged lines are skipped and counted; the good ones still load.
    { std::ofstream(cache, std::ios::app) << "1 2 3\n0 0 0 0 0 " << da << "\n1 2 3 4 5 XYZ\n1 2 3 4 5 " << da << " extra\n"; }
    ExeHasher again(16, 1 << 20);
    r = again.load(cache);
    CHECK(r.loaded == 2);
    CHECK(r.skipped == 4);

    // Another format: refused as a whole, with the reason.
    { std::ofstream(cache) << "something else\n"; }
    ExeHasher other(16, 1 << 20);
    r = other.load(cache);
    CHECK(r.loaded == 0);
    CHECK(r.error.find("not a hash cache") != std::string::npos);
    CHECK(other.cache_size() == 0);

    // No file yet (first start): nothing loaded, no error.
    ::unlink(cache.c_str());
    r = other.load(cache);
    CHECK(r.error.empty());
    CHECK(r.loaded == 0);
    // An unwritable place is an error naming it.
    CHECK(first.save(std::string(dir) + "/missing/exe_hashes").find("missing") != std::string::npos);

    ::unlink(a.c_str());
    ::unlink(b.c_str());
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
