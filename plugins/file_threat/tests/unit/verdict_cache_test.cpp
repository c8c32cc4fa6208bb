#include <doctest/doctest.h>

#include "verdict_cache.hpp"

using namespace vigil::file_threat;

namespace {
FileStamp stamp(uint64_t ino, int64_t mtime = 1, uint64_t size = 10) {
    FileStamp s;
    s.dev = 1;
    s.ino = ino;
    s.mtime_sec = mtime;
    s.ctime_sec = mtime;
    s.size = size;
    return s;
}
}  // namespace

TEST_CASE("file_threat cache: hit only for the same file version and generation") {
    VerdictCache c(16);
    CHECK_FALSE(c.lookup(stamp(1), 1));
    c.store(stamp(1), 1, CachedVerdict{true, false, "x"});
    auto v = c.lookup(stamp(1), 1);
    REQUIRE(v);
    CHECK(v->infected);
    CHECK_FALSE(c.lookup(stamp(1, 2), 1));       // modified (mtime)
    c.store(stamp(1), 1, CachedVerdict{});
    CHECK_FALSE(c.lookup(stamp(1, 1, 11), 1));   // size changed
    c.store(stamp(1), 1, CachedVerdict{});
    FileStamp ct = stamp(1);
    ct.ctime_nsec = 5;
    CHECK_FALSE(c.lookup(ct, 1));                // ctime changed (chmod, write)
    c.store(stamp(1), 1, CachedVerdict{});
    CHECK_FALSE(c.lookup(stamp(1), 2));          // rules or lists changed
    CHECK(c.hits() == 1);
    CHECK(c.misses() == 5);
}

TEST_CASE("file_threat cache: invalidate on modification, clear, LRU bound") {
    VerdictCache c(2);
    c.store(stamp(1), 1, {});
    c.store(stamp(2), 1, {});
    c.invalidate(1, 1);
    CHECK_FALSE(c.lookup(stamp(1), 1));
    c.store(stamp(1), 1, {});
    CHECK(c.lookup(stamp(2), 1));  // 2 is now most recently used
    c.store(stamp(3), 1, {});      // evicts 1
    CHECK(c.size() == 2);
    CHECK_FALSE(c.lookup(stamp(1), 1));
    CHECK(c.lookup(stamp(3), 1));
    c.clear();
    CHECK(c.size() == 0);
    VerdictCache off(0);
    off.store(stamp(1), 1, {});
    CHECK_FALSE(off.lookup(stamp(1), 1));
}
