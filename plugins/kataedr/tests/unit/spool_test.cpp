#include "spool.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sequence_store.hpp"
#include "test_util.hpp"

using namespace vigil::kataedr;
using kataedr_test::TempDir;

TEST_CASE("spool: batches leave in order") {
    TempDir d;
    Spool s(d.str() + "/spool", 1 << 20);
    s.push(3, 10, "three");
    s.push(7, 20, "seven");
    s.push(9, 30, "nine");
    CHECK(s.batches() == 3);
    CHECK(s.events() == 60);
    CHECK(s.bytes() == 14);
    auto e = s.front();
    REQUIRE(e);
    CHECK(e->batch_seq == 3);
    CHECK(s.read(*e) == "three");
    s.pop(3);
    CHECK(s.front()->batch_seq == 7);
    CHECK(s.newest_seq() == 9);
    s.pop(8);  // not the front: ignored
    CHECK(s.batches() == 2);
    CHECK_THROWS_AS(s.push(9, 1, "again"), std::logic_error);
}

TEST_CASE("spool: survives a restart, in order, without temporaries") {
    TempDir d;
    std::string dir = d.str() + "/spool";
    {
        Spool s(dir, 1 << 20);
        for (uint64_t i = 1; i <= 12; ++i) s.push(i * 10, uint32_t(i), "body" + std::to_string(i));
        s.pop(10);
    }
    // A write interrupted by a crash leaves a temporary file (write_file_atomic's, or a
    // .tmp of older versions): both are removed.
    const std::string leftovers[] = {dir + "/00000000000000000999-1.gz.tmp",
                                     dir + "/.00000000000000000998-1.gz.tmp-a1B2c3"};
    for (const auto& path : leftovers) std::ofstream(path) << "partial";
    Spool s(dir, 1 << 20);
    CHECK(s.batches() == 11);
    CHECK(s.front()->batch_seq == 20);
    CHECK(s.read(*s.front()) == "body2");
    for (const auto& path : leftovers) CHECK_FALSE(std::filesystem::exists(path));
    std::vector<uint64_t> order;
    while (auto e = s.front()) {
        order.push_back(e->batch_seq);
        s.pop(e->batch_seq);
    }
    CHECK(order == std::vector<uint64_t>{20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120});
}

TEST_CASE("batch sequence: persistent, never repeated, above the spool") {
    TempDir d;
    std::string path = d.str() + "/batch_seq";
    uint64_t last = 0;
    {
        SequenceStore s(path, 4);
        for (int i = 0; i < 10; ++i) {
            uint64_t v = s.next();
            CHECK(v > last);
            last = v;
        }
    }
    SequenceStore again(path, 4);
    CHECK(again.next() > last);  // numbers may be skipped after a restart, never reused
    std::filesystem::remove(path);
    SequenceStore lost(path, 4);
    CHECK(lost.next() == 1);
    lost.ensure_above(500);
    CHECK(lost.next() == 501);
    SequenceStore reloaded(path, 4);
    CHECK(reloaded.next() > 501);
    std::ofstream(path) << "garbage";
    CHECK_THROWS_AS(SequenceStore(path, 4), std::runtime_error);
}

TEST_CASE("spool: when full the oldest are dropped and counted, also across restarts") {
    TempDir d;
    std::string dir = d.str() + "/spool";
    {
        Spool s(dir, 100);
        s.push(1, 5, std::string(40, 'a'));
        s.push(2, 6, std::string(40, 'b'));
        s.push(3, 7, std::string(40, 'c'));  // 120 > 100: batch 1 goes
        CHECK(s.batches() == 2);
        CHECK(s.front()->batch_seq == 2);
        CHECK(s.dropped_events() == 5);
        CHECK(s.dropped_batches() == 1);
        s.push(4, 9, std::string(101, 'd'));  // can never fit: dropped itself
        CHECK(s.dropped_events() == 14);
        CHECK(s.batches() == 2);
        s.discard(2);  // an unreadable/rejected batch is counted too
        CHECK(s.dropped_events() == 20);
    }
    Spool again(dir, 100);
    CHECK(again.dropped_events() == 20);
    CHECK(again.dropped_batches() == 3);
    CHECK(again.front()->batch_seq == 3);
    // A smaller bound after a restart trims the oldest.
    Spool smaller(dir, 10);
    CHECK(smaller.empty());
    CHECK(smaller.dropped_events() == 27);
}
