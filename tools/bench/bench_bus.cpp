// vigil-bench bus: throughput and latency of the real bus (core/src/bus.cpp).
//   1 publisher -> 1 subscriber and -> 4 subscribers, 256-byte payloads, paced
//   so nothing is dropped (the sustainable rate); a latency scenario at a
//   fixed 100,000 messages/s; and a saturation scenario that shows drops are
//   counted when a subscriber cannot keep up.
#include <atomic>
#include <cstring>
#include <thread>

#include "bench.hpp"
#include "bus.hpp"

namespace {

using namespace vigil::core;
using vigil::bench::JsonLine;

uint64_t mono_ns() {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count());
}

struct Result {
    double mps = 0;
    double p50 = 0, p99 = 0;
    uint64_t dropped = 0, delivered = 0;
};

// rate == 0: as fast as the subscribers sustain (publisher waits when a queue
// is half full); rate > 0: paced to `rate` messages/s; saturate: no pacing.
Result run(int subscribers, uint64_t messages, double rate, bool saturate, uint32_t capacity) {
    Bus bus;
    uint32_t type = bus.register_type("bench.blob");
    std::vector<std::unique_ptr<std::atomic<uint64_t>>> counts;
    std::vector<std::vector<double>> lat(static_cast<size_t>(subscribers));
    std::vector<uint64_t> ids;
    for (int s = 0; s < subscribers; ++s) {
        counts.push_back(std::make_unique<std::atomic<uint64_t>>(0));
        lat[size_t(s)].reserve(messages);
        auto* c = counts.back().get();
        auto* l = &lat[size_t(s)];
        ids.push_back(bus.subscribe(
            type, capacity, VIGIL_OVERFLOW_DROP_OLDEST,
            [c, l](const vigil_message& m) {
                uint64_t sent;
                std::memcpy(&sent, m.payload, sizeof sent);
                l->push_back(double(mono_ns() - sent) / 1000.0);
                c->fetch_add(1, std::memory_order_release);
            },
            "bench", nullptr));
    }
    Publisher pub("bench");
    char payload[256] = {0};
    vigil_message m{};
    m.struct_size = sizeof m;
    m.type_id = type;
    m.payload = payload;
    m.payload_size = sizeof payload;
    auto min_count = [&] {
        uint64_t mn = UINT64_MAX;
        for (auto& c : counts) mn = std::min(mn, c->load(std::memory_order_acquire));
        return mn;
    };
    constexpr uint64_t kBurst = 16;
    const double t0 = vigil::bench::now_s();
    for (uint64_t i = 0; i < messages; ++i) {
        if (rate > 0 && i % kBurst == 0) {
            // A fixed average rate, published in small bursts with a sleep in
            // between, so the pacing itself does not occupy a core the
            // subscriber needs (a 2-core machine has no core to spare).
            double due = t0 + double(i) / rate;
            double wait = due - vigil::bench::now_s();
            if (wait > 0) std::this_thread::sleep_for(std::chrono::duration<double>(wait));
        } else if (rate <= 0 && !saturate) {
            while (i - min_count() > capacity / 2) std::this_thread::yield();
        }
        uint64_t now = mono_ns();
        std::memcpy(payload, &now, sizeof now);
        bus.publish(pub, m);
    }
    // Wait until everything queued is delivered (or dropped).
    uint64_t dropped = 0;
    for (;;) {
        dropped = bus.stats().dropped;
        if (min_count() + dropped / uint64_t(subscribers) >= messages) break;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const double elapsed = vigil::bench::now_s() - t0;
    Result r;
    r.dropped = bus.stats().dropped;
    for (auto& c : counts) r.delivered += c->load();
    r.mps = double(messages) / elapsed;
    for (auto id : ids) bus.unsubscribe(id);
    std::vector<double> all;
    for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    r.p50 = vigil::bench::percentile(all, 50);
    r.p99 = vigil::bench::percentile(all, 99);
    return r;
}

void print(const char* scenario, const Result& r, int subs, uint64_t messages) {
    JsonLine()
        .kv("scenario", scenario)
        .kv("subscribers", (long long)subs)
        .kv("payload_bytes", 256LL)
        .kv("messages", (long long)messages)
        .kv("messages_per_second", r.mps)
        .kv("deliveries_per_second", r.mps * subs)
        .kv("p50_us", r.p50)
        .kv("p99_us", r.p99)
        .kv("dropped", (long long)r.dropped)
        .print();
}

}  // namespace

VIGIL_BENCH(bus, "bus", "bus throughput (1->1, 1->4), latency at 100k msg/s, drop counting at saturation") {
    const uint64_t n = uint64_t(args.get_int("messages", 2000000));
    print("1_to_1", run(1, n, 0, false, 65536), 1, n);
    print("1_to_4", run(4, n / 2, 0, false, 65536), 4, n / 2);
    print("latency_at_100k_per_s", run(1, 200000, 100000, false, 65536), 1, 200000);
    // Informational: a subscriber that cannot keep up with a small queue loses
    // the oldest telemetry, and every loss is counted.
    print("saturation_small_queue", run(1, n / 2, 0, true, 1024), 1, n / 2);
    return 0;
}
