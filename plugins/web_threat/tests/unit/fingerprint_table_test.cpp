#include <doctest/doctest.h>

#include <set>
#include <string>

#include "fingerprint_table.hpp"

using namespace vigil::web_threat;

TEST_CASE("fingerprints differ for near-identical names and depend on the seed") {
    std::set<uint64_t> seen;
    for (int i = 0; i < 100000; ++i) seen.insert(fingerprint("host" + std::to_string(i) + ".test", 7));
    CHECK(seen.size() == 100000);
    CHECK(fingerprint("a.test", 1) != fingerprint("a.test", 2));
    CHECK(fingerprint("", 1) != fingerprint(std::string(1, '\0'), 1));
    CHECK(fingerprint("12345678", 3) != fingerprint("123456789", 3));
}

TEST_CASE("the table finds what was added, merges duplicates and stays within its load factor") {
    FingerprintTable::Pending p;
    for (uint64_t k = 0; k < 1000; ++k) p.add(fingerprint(std::to_string(k), 5), EntryMeta::make(1, false, 3));
    p.add(fingerprint("7", 5), EntryMeta::make(2, true, 9));
    p.add(0, EntryMeta::make(4, false, 1));  // key 0 is stored as 1
    FingerprintTable t(std::move(p));
    CHECK(t.size() == 1001);
    CHECK(double(t.size()) / double(t.capacity()) <= 0.6);
    const EntryMeta* m = t.find(fingerprint("7", 5));
    REQUIRE(m);
    CHECK(m->categories() == 3);
    CHECK(m->suffix());
    CHECK(m->list() == 9);  // the suffix entry reports its own list
    CHECK(t.find(0));
    CHECK(t.find(fingerprint("1000", 5)) == nullptr);
    CHECK(FingerprintTable().find(5) == nullptr);
}
