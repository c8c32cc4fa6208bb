#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <future>
#include <mutex>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include <vigil/sdk.hpp>

#include "bus.hpp"

using namespace vigil::core;

namespace {
vigil_message blob(uint32_t type, const void* p, uint32_t n) {
    vigil_message m{};
    m.struct_size = sizeof m;
    m.type_id = type;
    m.payload = p;
    m.payload_size = n;
    return m;
}
void wait_for(const std::function<bool()>& f) {
    for (int i = 0; i < 2000 && !f(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}
}  // namespace

TEST_CASE("each subscriber sees a publisher's messages in publish order") {
    Bus bus;
    uint32_t t = bus.register_type("test.seq");
    Publisher a("a"), b("b");
    std::mutex mu;
    std::vector<std::pair<std::string, uint64_t>> seen;
    bus.subscribe(t, 100000, VIGIL_OVERFLOW_DROP_OLDEST, [&](const vigil_message& m) {
        uint64_t v;
        std::memcpy(&v, m.payload, 8);
        std::lock_guard<std::mutex> g(mu);
        seen.emplace_back(std::string(m.source, m.source_len), v);
    }, "sub", nullptr);
    std::thread ta([&] { for (uint64_t i = 0; i < 20000; ++i) { auto m = blob(t, &i, 8); bus.publish(a, m); } });
    std::thread tb([&] { for (uint64_t i = 0; i < 20000; ++i) { auto m = blob(t, &i, 8); bus.publish(b, m); } });
    ta.join();
    tb.join();
    wait_for([&] { std::lock_guard<std::mutex> g(mu); return seen.size() == 40000; });
    std::lock_guard<std::mutex> g(mu);
    REQUIRE(seen.size() == 40000);
    uint64_t next_a = 0, next_b = 0;
    for (auto& [src, v] : seen) {
        if (src == "a") CHECK(v == next_a++);
        else CHECK(v == next_b++);
    }
    CHECK(bus.stats().dropped == 0);
}

TEST_CASE("a slow subscriber drops the oldest telemetry, counts every drop, never drops critical messages") {
    Bus bus;
    Publisher pub("p");
    std::promise<void> gate;
    auto opened = gate.get_future().share();
    std::atomic<int> telemetry{0}, critical{0};
    SubscriberCounters counters;
    bus.subscribe(VIGIL_TYPE_ANY, 10, VIGIL_OVERFLOW_DROP_OLDEST, [&](const vigil_message& m) {
        opened.wait();
        (m.type_id == VIGIL_TYPE_FILE ? telemetry : critical)++;
    }, "slow", &counters);
    vigil::PayloadBuilder<vigil_file_event> f;
    vigil::PayloadBuilder<vigil_threat_event> th;
    for (int i = 0; i < 100; ++i) {
        bus.publish(pub, blob(VIGIL_TYPE_FILE, f.data(), f.size()));
        if (i % 10 == 0) bus.publish(pub, blob(VIGIL_TYPE_THREAT, th.data(), th.size()));
    }
    gate.set_value();
    wait_for([&] { return telemetry + critical + int(counters.dropped) >= 110; });
    CHECK(critical == 10);                         // all threats delivered
    CHECK(telemetry + int(counters.dropped) == 100);  // every file event delivered or counted
    CHECK(counters.dropped > 0);
    CHECK(bus.stats().dropped == counters.dropped);
}

TEST_CASE("drop-newest policy keeps the queued messages") {
    Bus bus;
    uint32_t t = bus.register_type("test.newest");
    Publisher pub("p");
    std::promise<void> gate;
    auto opened = gate.get_future().share();
    std::vector<uint64_t> got;
    std::mutex mu;
    SubscriberCounters c;
    bus.subscribe(t, 5, VIGIL_OVERFLOW_DROP_NEWEST, [&](const vigil_message& m) {
        opened.wait();
        uint64_t v;
        std::memcpy(&v, m.payload, 8);
        std::lock_guard<std::mutex> g(mu);
        got.push_back(v);
    }, "s", &c);
    for (uint64_t i = 0; i < 50; ++i) bus.publish(pub, blob(t, &i, 8));
    gate.set_value();
    wait_for([&] { std::lock_guard<std::mutex> g(mu); return got.size() + c.dropped >= 50; });
    std::lock_guard<std::mutex> g(mu);
    REQUIRE_FALSE(got.empty());
    CHECK(got.front() == 0);  // the oldest survived
    CHECK(got.size() + c.dropped == 50);
}

TEST_CASE("publish validates envelopes and core payload sizes") {
    Bus bus;
    Publisher pub("p");
    uint32_t bad_size = 1000;
    CHECK(bus.publish(pub, blob(VIGIL_TYPE_FILE, &bad_size, 4)) == VIGIL_EINVAL);  // declares more than it has
    CHECK(bus.publish(pub, blob(12345, "x", 1)) == VIGIL_EINVAL);                  // unregistered type
    CHECK(bus.publish(pub, blob(VIGIL_TYPE_ANY, "x", 1)) == VIGIL_EINVAL);
    CHECK(bus.register_type("vendor.thing") == bus.register_type("vendor.thing"));
}

TEST_CASE("commands: no handler, unavailable plugin, timeout, late reply") {
    Bus bus;
    Publisher sender("s"), handler("h");
    bus.set_unavailable_fn([](const std::string& p) { return p == "iso" ? "plugin iso is disabled" : ""; });
    auto call = [&](const std::string& name, uint32_t timeout) {
        auto pr = std::make_shared<std::promise<std::pair<int, std::string>>>();
        auto f = pr->get_future();
        bus.send_command(sender, name, "{}", timeout, "", [pr](const MessageRef& r) {
            auto v = vigil::view<vigil_command_result>(r->payload, r->payload_size);
            pr->set_value({v->status, std::string(v.str(v->error))});
        });
        return f.get();
    };
    auto d = call("iso.on", 100);
    CHECK(d.first == VIGIL_EDISABLED);
    CHECK(d.second == "no handler for command 'iso.on': plugin iso is disabled");
    CHECK(call("x.y", 100).first == VIGIL_ENOTFOUND);

    std::vector<uint64_t> received;
    std::mutex mu;
    bus.register_command("h.hold", "h", [&](const MessageRef& m) {
        std::lock_guard<std::mutex> g(mu);
        received.push_back(m->correlation_id);
        return true;
    });
    auto t = call("h.hold", 50);
    CHECK(t.first == VIGIL_ETIMEDOUT);
    std::lock_guard<std::mutex> g(mu);
    REQUIRE(received.size() == 1);
    CHECK(bus.reply(handler, received[0], VIGIL_OK, "{}", "") == VIGIL_ESTATE);  // too late
    CHECK(bus.stats().late_replies == 1);
    CHECK(bus.stats().command_timeouts == 1);
}

TEST_CASE("no lost or duplicated replies under concurrency") {
    Bus bus;
    Publisher handler("h");
    std::vector<std::thread> workers;
    std::mutex wmu;
    // The handler answers from random threads after random delays; some never.
    bus.register_command("h.work", "h", [&](const MessageRef& m) {
        uint64_t corr = m->correlation_id;
        std::lock_guard<std::mutex> g(wmu);
        workers.emplace_back([&bus, &handler, corr] {
            thread_local std::mt19937 rng(std::random_device{}());
            std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
            if (corr % 7 != 0) bus.reply(handler, corr, VIGIL_OK, "{}", "");
        });
        return true;
    });
    constexpr int kSenders = 8, kEach = 250;
    std::atomic<int> replies{0}, ok{0}, timeouts{0};
    std::mutex seen_mu;
    std::set<uint64_t> seen;
    std::atomic<bool> duplicate{false};
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s)
        senders.emplace_back([&, s] {
            Publisher p("sender" + std::to_string(s));
            for (int i = 0; i < kEach; ++i)
                bus.send_command(p, "h.work", "{}", 500, "", [&](const MessageRef& r) {
                    {
                        std::lock_guard<std::mutex> g(seen_mu);
                        if (!seen.insert(r->correlation_id).second) duplicate = true;
                    }
                    auto v = vigil::view<vigil_command_result>(r->payload, r->payload_size);
                    (v->status == VIGIL_OK ? ok : timeouts)++;
                    replies++;
                });
        });
    for (auto& t : senders) t.join();
    wait_for([&] { return replies == kSenders * kEach; });
    std::this_thread::sleep_for(std::chrono::milliseconds(600));  // any duplicate would arrive by now
    CHECK(replies == kSenders * kEach);
    CHECK_FALSE(duplicate);
    CHECK(timeouts > 0);
    CHECK(ok + timeouts == kSenders * kEach);
    std::lock_guard<std::mutex> g(wmu);
    for (auto& t : workers) t.join();
}

TEST_CASE("unsubscribed subscriptions are released; one that unsubscribed itself once its thread ended") {
    Bus bus;
    uint32_t t = bus.register_type("test.release");
    Publisher p("p");
    // Many short sessions, like `vigilctl events` clients coming and going.
    for (int i = 0; i < 200; ++i) {
        uint64_t id = bus.subscribe(t, 16, VIGIL_OVERFLOW_DROP_OLDEST, [](const vigil_message&) {}, "session", nullptr);
        REQUIRE(id);
        CHECK(bus.unsubscribe(id));
    }
    CHECK(bus.retained_subscriptions() == 0);
    // Unsubscribing from inside its own callback keeps it until that thread is done...
    std::atomic<uint64_t> self_id{0};
    std::atomic<bool> done{false};
    self_id = bus.subscribe(t, 16, VIGIL_OVERFLOW_DROP_OLDEST, [&](const vigil_message&) {
        if (!done.exchange(true)) bus.unsubscribe(self_id);
    }, "self", nullptr);
    uint64_t v = 1;
    auto m = blob(t, &v, 8);
    bus.publish(p, m);
    wait_for([&] { return done.load(); });
    CHECK(done);
    wait_for([&] { return bus.retained_subscriptions() == 1; });
    CHECK(bus.retained_subscriptions() == 1);
    // ...and the next unsubscribe releases it.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    uint64_t other = bus.subscribe(t, 16, VIGIL_OVERFLOW_DROP_OLDEST, [](const vigil_message&) {}, "x", nullptr);
    CHECK(bus.unsubscribe(other));
    CHECK(bus.retained_subscriptions() == 0);
}
