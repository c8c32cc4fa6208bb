// SqliteStorage beyond the storage contract (storage_test.cpp): search without the word
// index, and the file name in open errors.
#include <doctest/doctest.h>

#include "sqlite_storage.hpp"
#include "test_support.hpp"

using namespace vigil::central;

namespace {

EventInput event(const std::string& type, int64_t time_ns, const std::string& text) {
    EventInput e;
    e.type = type;
    e.class_uid = 1007;
    e.time_ns = time_ns;
    e.raw = "{\"type\":\"" + type + "\",\"text\":\"" + text + "\"}";
    e.text = text;
    return e;
}

}  // namespace

TEST_CASE("text search without the word index falls back to a substring scan") {
    central_test::TempDir dir;
    SqliteStorage s({dir.path + "/c.db", false});
    s.store_batch("agent-a", 1, 0, {event("process", 1, "needle_100%"), event("process", 2, "hay")});
    EventQuery q;
    q.text = "dle_100%";
    CHECK(s.query_events(q).size() == 1);
    q.text = "_100%\"";  // LIKE wildcards are escaped
    CHECK(s.query_events(q).size() == 1);
    q.text = "_1%";  // as a LIKE pattern this would match "_100%"
    CHECK(s.query_events(q).empty());
    q.text = "x%y";
    CHECK(s.query_events(q).empty());
}


TEST_CASE("opening a database in a missing directory fails with the file name") {
    CHECK_THROWS_WITH_AS(SqliteStorage({"/nonexistent-dir-xyz/c.db"}),
                         doctest::Contains("/nonexistent-dir-xyz/c.db"), std::runtime_error);
}

