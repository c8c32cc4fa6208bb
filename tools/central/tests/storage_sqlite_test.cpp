// SqliteStorage beyond the storage contract (storage_test.cpp): search without the word
// index, the size limit, databases from before retention, and the file name in open errors.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>

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

// A batch of `n` events of about 1 KiB, each with the words "b<seq>" and "e<i>".
std::vector<EventInput> big_batch(int64_t seq, int n) {
    std::vector<EventInput> out;
    for (int i = 0; i < n; ++i) {
        EventInput e = event("process", i, "b" + std::to_string(seq) + " e" + std::to_string(i));
        const std::string pad(1000, 'x');
        e.raw = "{\"type\":\"process\",\"cmd\":\"b" + std::to_string(seq) + "\",\"arg\":\"e" + std::to_string(i) +
                "\",\"metadata\":{\"pad\":\"" + pad + "\"}}";
        out.push_back(std::move(e));
    }
    return out;
}

uint64_t found(Storage& s, const std::string& text) {
    EventQuery q;
    q.text = text;
    q.limit = 100000;
    return s.query_events(q).size();
}

// The result of a statement that returns one text value, on a connection of its own.
std::string sql_text(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    std::string out = "error";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
        const int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        else if (rc == SQLITE_DONE)
            out = "done";
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

}  // namespace

TEST_CASE("beyond max_database_bytes the oldest events go first and free pages return to the file system") {
    central_test::TempDir dir;
    const std::string path = dir.path + "/c.db";
    constexpr int kBatches = 40, kEvents = 100;
    {
        SqliteStorage s({path});
        for (int b = 1; b <= kBatches; ++b) REQUIRE(s.store_batch("a", b, b, big_batch(b, kEvents)).stored == kEvents);
    }
    const uint64_t full = std::filesystem::file_size(path);
    SqliteOptions o{path};
    o.max_database_bytes = full / 2;
    SqliteStorage s(o);
    RetentionReport r = s.enforce_retention(kBatches);
    CHECK(r.over_size > 0);
    CHECK(r.events == r.over_size);
    CHECK(r.days == 0);
    for (int pass = 0; pass < 10; ++pass) {  // the next passes measure again, as the keeper does
        const StorageSizes z = s.sizes();
        if (z.database_bytes - z.free_bytes.value_or(0) <= o.max_database_bytes) break;
        s.enforce_retention(kBatches);
    }
    const StorageSizes z = s.sizes();
    CHECK(z.database_bytes - z.free_bytes.value_or(0) <= o.max_database_bytes);
    CHECK(z.database_bytes < full);  // incremental vacuum gave pages back
    CHECK(z.dropped.over_size == z.dropped.events);
    CHECK(found(s, "b1") == 0);  // the oldest batch went first
    CHECK(found(s, "b" + std::to_string(kBatches)) == kEvents);  // the newest stayed whole
    CHECK(s.stats().events == z.days.front().events);
    CHECK(s.stats().events + z.dropped.events == kBatches * kEvents);
    // The word index lost exactly the words of the dropped events.
    CHECK(sql_text(path, "INSERT INTO events_text(events_text) VALUES('integrity-check')") == "done");
    CHECK(sql_text(path, "PRAGMA integrity_check") == "ok");
}

TEST_CASE("a database from before retention: its events count to the day of its newest batch") {
    central_test::TempDir dir;
    const std::string path = dir.path + "/c.db";
    constexpr int64_t kDay = 86400LL * 1000000000LL;
    {
        SqliteStorage s({path});
        s.store_batch("a", 1, 3 * kDay, big_batch(1, 3));
        s.store_batch("a", 2, 5 * kDay, big_batch(2, 2));
    }
    CHECK(sql_text(path, "DROP TABLE event_days") == "done");
    SqliteOptions o{path};
    o.retention_days = 1;
    SqliteStorage s(o);
    const StorageSizes z = s.sizes();
    REQUIRE(z.days.size() == 1);
    CHECK(z.days[0].day == "1970-01-06");
    CHECK(z.days[0].events == 5);
    CHECK(s.enforce_retention(6 * kDay).events == 0);  // day 5 is not wholly past yet
    CHECK(s.enforce_retention(7 * kDay).events == 5);
    CHECK(s.stats().events == 0);
    CHECK(s.stats().batches == 0);
}

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

