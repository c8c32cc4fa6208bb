// The storage contract on retention, on every engine (storage_env.hpp): whole receive days
// past retention_days go while batches keep being stored, and every batch stored after the
// cut-off is there afterwards, exactly once; the sizes report the days that are left.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "storage_env.hpp"

using namespace vigil::central;

namespace {

constexpr int64_t kDay = 86400LL * 1000000000LL;

int64_t wall_now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<EventInput> batch(const std::string& word, int n) {
    std::vector<EventInput> out;
    for (int i = 0; i < n; ++i) {
        EventInput e;
        e.type = "process";
        e.class_uid = 1007;
        e.time_ns = i;
        e.text = word + " n" + std::to_string(i);
        e.raw = "{\"type\":\"process\",\"cmd\":\"" + word + "\",\"arg\":\"n" + std::to_string(i) + "\"}";
        out.push_back(std::move(e));
    }
    return out;
}

uint64_t count(Storage& s, const std::optional<std::string>& agent, const std::optional<std::string>& text) {
    EventQuery q;
    q.agent_id = agent;
    q.text = text;
    q.limit = 100000;
    return s.query_events(q).size();
}

}  // namespace

TEST_CASE("retention drops receive days past retention_days while batches are stored; none stored after is lost") {
    auto env = central_test::make_store_env();
    const int64_t now = wall_now();
    constexpr int kOldEvents = 400;
    {
        auto store = env->open();  // no retention yet: the old days are stored as they came
        int64_t seq = 0;
        for (int d = 10; d >= 5; --d)
            for (int b = 0; b < 4; ++b) REQUIRE(store->store_batch("old", ++seq, now - d * kDay, batch("oldword", kOldEvents)).stored == kOldEvents);
        REQUIRE(store->store_batch("recent", 1, now - 2 * kDay, batch("recentword", 10)).stored == 10);
    }
    auto store = env->open_retaining(3);
    Storage& s = *store;
    std::atomic<bool> ingesting{true};
    std::atomic<int> acknowledged{0};
    std::thread ingest([&] {
        for (int i = 1; i <= 150; ++i) {
            if (s.store_batch("new", i, wall_now(), batch("newword", 20)).stored == 20) ++acknowledged;
        }
        ingesting = false;
    });
    int passes = 0;
    do {
        s.enforce_retention(now);  // PostgreSQL also drops expired days on open
        ++passes;
    } while (ingesting || passes < 2);
    ingest.join();

    CHECK(acknowledged == 150);
    CHECK(s.sizes().dropped.events == 6 * 4 * kOldEvents);
    CHECK(s.sizes().dropped.batches == 6 * 4);
    CHECK(count(s, std::string("old"), std::nullopt) == 0);
    CHECK(count(s, std::string("recent"), std::nullopt) == 10);
    CHECK(count(s, std::string("new"), std::nullopt) == 150 * 20);
    CHECK(s.stats().events == 10 + 150 * 20);
    CHECK(s.stats().batches == 1 + 150);
    // The words of dropped events are gone from search; those of kept ones are found.
    CHECK(count(s, std::nullopt, std::string("oldword")) == 0);
    CHECK(count(s, std::nullopt, std::string("newword")) == 150 * 20);
    CHECK(s.enforce_retention(now).events == 0);  // nothing more to drop
    // A batch stored after the cut-off is still known; one of a dropped day is new again.
    CHECK(s.store_batch("new", 7, wall_now(), batch("newword", 20)).duplicate);
    CHECK(s.store_batch("old", 1, wall_now(), batch("oldword", 1)).stored == 1);

    const StorageSizes z = s.sizes();
    CHECK(std::string(z.engine) == env->engine());
    CHECK(z.database_bytes > 0);
    REQUIRE_FALSE(z.days.empty());
    CHECK(z.days.front().day.size() == 10);  // YYYY-MM-DD
}

TEST_CASE("without retention_days nothing is dropped") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    const int64_t now = wall_now();
    REQUIRE(store->store_batch("a", 1, now - 400 * kDay, batch("ancient", 5)).stored == 5);
    CHECK(store->enforce_retention(now).events == 0);
    CHECK(store->stats().events == 5);
}
