// PgStorage beyond the storage contract: COPY escaping and encoding, day partitions and
// retention, schema versions, several nodes on one database, reconnecting, and the task
// notifications between nodes (PgTaskWatch).
#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "pg_storage.hpp"
#include "pg_task_watch.hpp"
#include "time_spec.hpp"

using namespace vigil::central;

namespace central_test {
std::string fresh_pg_database();  // storage_env_pg.cpp
}

namespace {

constexpr int64_t kDay = 86400LL * 1000000000LL;

PgOptions options(const std::string& url, int retention_days = 0) {
    PgOptions o;
    o.url = url;
    o.retention_days = retention_days;
    o.connections = 2;
    return o;
}

EventInput event(int64_t time_ns, const std::string& raw) {
    return EventInput{"detection", 2004, time_ns, raw, ""};
}

// One value from SQL run on the database directly.
std::string query_one(const std::string& url, const std::string& sql) {
    PGconn* c = PQconnectdb(url.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    std::string v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "<error>";
    PQclear(r);
    PQfinish(c);
    return v;
}

}  // namespace

TEST_CASE("COPY keeps tabs, newlines and backslashes; invalid UTF-8 and NUL become U+FFFD") {
    const auto url = central_test::fresh_pg_database();
    PgStorage s(options(url));
    const std::string tricky = "{\"a\":\"x\ty\nz\\\\w\\r\"}";
    const std::string broken = std::string("{\"b\":\"caf\xff\xfe") + '\0' + "\"}";
    REQUIRE(s.store_batch("agent\t1", 1, now_ns(), {event(1, tricky), event(2, broken)}).stored == 2);
    EventQuery q;
    auto rows = s.query_events(q);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].raw == tricky);
    CHECK(rows[0].agent_id == "agent\t1");
    CHECK(rows[1].raw == "{\"b\":\"caf\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
    q.text = "caf\xff";  // searched the way it was stored
    CHECK(s.query_events(q).size() == 1);
}

TEST_CASE("events go to one partition per receive day; retention drops whole old days") {
    const auto url = central_test::fresh_pg_database();
    const int64_t now = now_ns();
    {
        PgStorage s(options(url));
        CHECK(s.store_batch("a1", 1, now - 10 * kDay, {event(1, "{\"old\":1}"), event(2, "{\"old\":2}")}).stored == 2);
        CHECK(s.store_batch("a1", 2, now - 2 * kDay, {event(3, "{\"recent\":1}")}).stored == 1);
        CHECK(s.store_batch("a1", 3, now, {event(4, "{\"today\":1}")}).stored == 1);
        CHECK(s.drop_expired_partitions(now) == 0);  // no retention configured
    }
    // Each day and the day after it: 3 days stored, 6 partitions (two overlap if adjacent).
    CHECK(std::stoi(query_one(url, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass")) == 6);
    PgStorage s(options(url, 5));  // opening drops what is older than 5 days
    CHECK(s.stats().events == 2);
    CHECK(s.stats().batches == 2);
    EventQuery q;
    auto rows = s.query_events(q);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].raw == "{\"recent\":1}");
    CHECK(std::stoi(query_one(url, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass")) == 4);
    CHECK(s.drop_expired_partitions(now + 4 * kDay) == 1);  // 4 days later the day 2 days ago is past 5 days
    CHECK(s.stats().events == 1);
    // A retry of a batch whose day was dropped is stored again, into today's partition.
    CHECK(s.store_batch("a1", 1, now, {event(1, "{\"old\":1}")}).stored == 1);
}

TEST_CASE("the schema is versioned: migrated once, an unmigrated or newer database is refused") {
    const auto url = central_test::fresh_pg_database();
    PgOptions check = options(url);
    check.schema = PgOptions::Schema::require_current;
    CHECK_THROWS_WITH_AS(PgStorage{check}, doctest::Contains("vigil-central migrate"), std::runtime_error);
    {
        PgStorage s(options(url));
        CHECK(s.schema_version() == PgStorage::latest_schema_version());
        auto again = s.migrate();
        CHECK(again.from == again.to);
    }
    CHECK_NOTHROW(PgStorage{check});
    query_one(url, "INSERT INTO vigil_schema VALUES (999, 0) RETURNING version");
    CHECK_THROWS_WITH_AS(PgStorage{options(url)}, doctest::Contains("newer than this vigil-central"),
                         std::runtime_error);
}

TEST_CASE("two nodes on one database: a batch is stored once, each task is claimed by one node") {
    const auto url = central_test::fresh_pg_database();
    PgStorage a(options(url));
    PgStorage b(options(url));
    CHECK(a.store_batch("agent", 5, now_ns(), {event(1, "{}")}).stored == 1);
    CHECK(b.store_batch("agent", 5, now_ns(), {event(1, "{}")}).duplicate);
    for (int i = 0; i < 40; ++i) {
        TaskRecord t;
        t.id = "t" + std::to_string(100 + i);
        t.agent_id = "agent";
        t.type = "ping";
        t.created_ns = i;
        (i % 2 ? a : b).insert_task(t);
    }
    std::atomic<int> claimed{0};
    std::mutex m;
    std::set<std::string> seen;
    auto poll = [&](PgStorage& s) {
        for (int round = 0; round < 20; ++round) {
            for (const auto& t : s.claim_tasks("agent", 1000, 60, 3)) {
                std::lock_guard lock(m);
                CHECK(seen.insert(t.id).second);  // never handed out twice
                ++claimed;
            }
        }
    };
    std::thread t1(poll, std::ref(a)), t2(poll, std::ref(b)), t3(poll, std::ref(a)), t4(poll, std::ref(b));
    t1.join();
    t2.join();
    t3.join();
    t4.join();
    CHECK(claimed == 40);
    // First result wins across nodes.
    CHECK(a.complete_task("t100", "agent", true, std::string("{}"), std::nullopt, 2000) == ResultOutcome::accepted);
    CHECK(b.complete_task("t100", "agent", false, std::nullopt, std::string("late"), 2001) ==
          ResultOutcome::already_final);
}

TEST_CASE("a connection the server dropped is reopened") {
    const auto url = central_test::fresh_pg_database();
    PgOptions o = options(url);
    o.connections = 1;
    PgStorage s(o);
    s.upsert_agent(AgentRecord{"a1", "h", "os", "k", "v", "{}", 1, 1});
    query_one(url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'vigil-central'");
    // The request that finds the connection dead fails; the next one reconnects.
    try {
        s.find_agent("a1");
    } catch (const std::runtime_error&) {
    }
    CHECK(s.find_agent("a1"));
}

TEST_CASE("a task inserted through one node wakes the listener of another; after a reconnect all waiters are woken") {
    const auto url = central_test::fresh_pg_database();
    PgStorage a(options(url));
    PgStorage b(options(url));
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> woken;
    std::atomic<int> wake_all{0};
    PgTaskWatch watch(
        url, "",
        [&](const std::string& agent) {
            std::lock_guard lock(m);
            woken.push_back(agent);
            cv.notify_all();
        },
        [&] { ++wake_all; });
    auto wait_for = [&](auto pred) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, std::chrono::seconds(5), pred);
    };
    auto wait_connects = [&](uint64_t n) {
        for (int i = 0; i < 500 && watch.connects() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return watch.connects() >= n;
    };
    REQUIRE(wait_connects(1));
    CHECK(wake_all == 1);  // on connecting: nothing missed can be replayed, so every waiter looks again
    TaskRecord t;
    t.id = "t1";
    t.agent_id = "agent-on-b";
    t.type = "ping";
    const auto sent = std::chrono::steady_clock::now();
    a.insert_task(t);
    REQUIRE(wait_for([&] { return !woken.empty(); }));
    CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(1));
    CHECK(woken.front() == "agent-on-b");
    CHECK(b.claim_tasks("agent-on-b", 1, 60, 10).size() == 1);

    // The server ends the listening session: the watch reconnects, wakes everyone, listens again.
    query_one(url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN %'");
    REQUIRE(wait_connects(2));
    CHECK(wake_all == 2);
    t.id = "t2";
    t.agent_id = "another";
    b.insert_task(t);
    CHECK(wait_for([&] { return woken.size() == 2 && woken.back() == "another"; }));
}
