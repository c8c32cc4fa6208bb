// The streaming batch reader: gunzip and parse in one pass give the same events as the
// plain text, and hostile batches stop at the first limit they cross (gzip bombs of the
// review, deep nesting, huge tokens, too many values, the memory budget).
#include <doctest/doctest.h>
#include <zlib.h>

#include <string>

#include "api_error.hpp"
#include "gzip.hpp"
#include "memory_budget.hpp"
#include "telemetry.hpp"

using namespace vigil::central;

namespace {

constexpr const char* kAgent = "agent-0001";
const std::string kHead = std::string("{\"agent_id\":\"") + kAgent + "\",\"batch_seq\":1,\"events\":[";

// gzip of prefix + unit×count + suffix without holding the plain text (bombs of any size).
std::string gzip_repeated(const std::string& prefix, const std::string& unit, size_t count,
                          const std::string& suffix) {
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out;
    char buf[65536];
    auto feed = [&](const std::string& data, int flush) {
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        zs.avail_in = static_cast<uInt>(data.size());
        do {
            zs.next_out = reinterpret_cast<Bytef*>(buf);
            zs.avail_out = sizeof buf;
            deflate(&zs, flush);
            out.append(buf, sizeof buf - zs.avail_out);
        } while (zs.avail_out == 0);
    };
    feed(prefix, Z_NO_FLUSH);
    std::string block;
    for (int i = 0; i < 4096; ++i) block += unit;
    for (size_t done = 0; done < count; done += 4096) feed(block, Z_NO_FLUSH);
    feed(suffix, Z_FINISH);
    deflateEnd(&zs);
    return out;
}

struct Outcome {
    int status = 200;
    std::string reason;
    size_t events = 0;
};

Outcome parse_gz(const std::string& body, const BatchLimits& limits = {}, MemoryReservation* memory = nullptr,
                 uint64_t max_plain = 256ull << 20) {
    Outcome o;
    try {
        o.events = parse_gzip_batch(body, max_plain, kAgent, limits, memory).events.size();
    } catch (const ApiError& e) {
        o.status = e.status();
        o.reason = e.what();
    }
    return o;
}

std::string event(int i, size_t pad = 0) {
    return R"({"type":"process","class_uid":1007,"time":)" + std::to_string(1700000000000 + i) +
           R"(,"metadata":{"uid":"x"},"process":{"cmd_line":"run )" + std::string(pad, 'p') +
           std::to_string(i) + R"(","pid":)" + std::to_string(i) + "}}";
}

}  // namespace

TEST_CASE("gunzip while parsing gives the events of the plain text, across chunk boundaries") {
    std::string plain = kHead;
    for (int i = 0; i < 300; ++i) plain += (i ? "," : "") + event(i, i % 7 == 0 ? 150000 : 10);
    plain += ",{\n \"type\": \"file\", \"class_uid\": 1001, \"time\": 5, \"p\": \"\\/x\"}]}";
    auto a = parse_batch(plain, kAgent, {});
    auto b = parse_gzip_batch(gzip(plain), 1ull << 30, kAgent, {});
    REQUIRE(a.events.size() == 301);
    REQUIRE(b.events.size() == a.events.size());
    for (size_t i = 0; i < a.events.size(); ++i) {
        CHECK(a.events[i].raw == b.events[i].raw);
        CHECK(a.events[i].text == b.events[i].text);
        CHECK(a.events[i].time_ns == b.events[i].time_ns);
    }
    CHECK(b.events[7].raw == event(7, 150000));  // 150 KB event spans three gunzip chunks
    CHECK(b.events[300].raw == R"({"type":"file","class_uid":1001,"time":5,"p":"/x"})");
    CHECK(b.events[5].text == "run pppppppppp5");  // metadata and type are not indexed
}

TEST_CASE("the review's gzip bomb stops at the first event, holding little memory") {
    // {"agent_id":…,"events":[[0,0,0,… 256 MiB …]]} compresses to about 260 KiB.
    const std::string bomb = gzip_repeated(kHead + "[", "0,", 128u << 20, "0]]}");
    CHECK(bomb.size() < 400u << 10);
    MemoryBudget budget(64ull << 20);
    MemoryReservation memory(&budget);
    auto o = parse_gz(bomb, {}, &memory);
    CHECK(o.status == 400);
    CHECK(o.reason.find("events[0]: must be an object") != std::string::npos);
    CHECK(memory.held() <= 1u << 20);
}

TEST_CASE("bombs inside an event, a string or whitespace stop at the size of one event") {
    BatchLimits limits;
    limits.max_event_bytes = 256 << 10;
    auto values = parse_gz(gzip_repeated(kHead + R"({"type":"file","a":[)", "0,", 4u << 20, "0]}]}"), limits);
    CHECK(values.status == 413);
    CHECK(values.reason.find("event is larger") != std::string::npos);
    auto str = parse_gz(gzip_repeated(R"({"x":")", "AAAA", 2u << 20, "\"}"), limits);
    CHECK(str.status == 413);
    CHECK(str.reason.find("single JSON value") != std::string::npos);
    auto spaces = parse_gz(gzip_repeated("{", "    ", 2u << 20, "}"), limits);
    CHECK(spaces.status == 413);
    // Without the event limit the decompression limit still holds.
    limits.max_event_bytes = 1ull << 40;
    auto big = parse_gz(gzip_repeated(kHead + R"({"type":"file","a":")", "AAAA", 4u << 20, "\"}]}"), limits,
                        nullptr, 1u << 20);
    CHECK(big.status == 413);
    CHECK(big.reason.find("decompressed body exceeds") != std::string::npos);
}

TEST_CASE("values, events and nesting are counted while reading") {
    BatchLimits limits;
    limits.max_values = 1000;
    auto many = parse_gz(gzip_repeated(R"({"x":[)", "1,", 100000, "1]}"), limits);
    CHECK(many.status == 413);
    CHECK(many.reason.find("more than 1000 JSON values") != std::string::npos);
    limits = {};
    limits.max_events = 10;
    std::string body = kHead;
    for (int i = 0; i < 50; ++i) body += (i ? "," : "") + event(i);
    auto events = parse_gz(gzip(body + "]}"), limits);
    CHECK(events.status == 413);
    CHECK(events.reason.find("more than 10 events") != std::string::npos);
    // Deep nesting outside the events is refused too (the reader's stack stays small).
    auto deep = parse_gz(gzip_repeated(R"({"meta":)", "[", 1u << 20, ""), {});
    CHECK(deep.status == 400);
    CHECK(deep.reason.find("nests deeper") != std::string::npos);
}

TEST_CASE("the body's identity is checked as soon as it is read") {
    auto other = parse_gz(gzip_repeated(R"({"agent_id":"someone-else","batch_seq":1,"events":[)",
                                        event(1) + ",", 1u << 16, event(2) + "]}"));
    CHECK(other.status == 403);
    CHECK(other.reason.find("is not the authenticated agent") != std::string::npos);
    CHECK(parse_gz(gzip(R"({"agent_id":"agent-0001","events":[]})")).reason.find("batch_seq") !=
          std::string::npos);
    CHECK(parse_gz(gzip(R"({"agent_id":"agent-0001","batch_seq":1})")).reason.find("events") !=
          std::string::npos);
    CHECK(parse_gz(gzip(R"({"agent_id":"agent-0001","batch_seq":1,"events":{}})")).status == 400);
    CHECK(parse_gz(gzip(R"({"agent_id":7,"batch_seq":1,"events":[]})")).status == 400);
    CHECK(parse_gz(gzip(R"({"agent_id":"agent-0001","batch_seq":1.5,"events":[]})")).status == 400);
    CHECK(parse_gz(gzip(R"({"agent_id":"agent-0001","batch_seq":1,"events":[]})")).status == 200);
}

TEST_CASE("a batch larger than the memory budget is answered 503 and gives the memory back") {
    MemoryBudget budget(2u << 20);
    std::string body = kHead;
    for (int i = 0; i < 200; ++i) body += (i ? "," : "") + event(i, 20000);
    body += "]}";
    {
        MemoryReservation memory(&budget);
        auto o = parse_gz(gzip(body), {}, &memory);
        CHECK(o.status == 503);
        CHECK(budget.used() > 0);
    }
    CHECK(budget.used() == 0);
    MemoryBudget roomy(64u << 20);
    MemoryReservation memory(&roomy);
    CHECK(parse_gz(gzip(body), {}, &memory).events == 200);
    CHECK(memory.held() > 200u * 20000);
}

TEST_CASE("memory budget: reservations grow in steps and never overdraw") {
    MemoryBudget budget(1000);
    MemoryReservation a(&budget), b(&budget);
    CHECK(a.grow(600));
    CHECK_FALSE(b.grow(500));
    CHECK(b.held() == 0);
    CHECK(b.ensure(400));
    CHECK(a.ensure(500));  // already holds more
    CHECK_FALSE(a.grow(1));
    a.reset();
    CHECK(budget.used() == 400);
    CHECK(b.grow(600));
    CHECK_FALSE(MemoryReservation(&budget).grow(1));
    MemoryReservation unlimited;
    CHECK(unlimited.grow(1ull << 62));
}
