// Events and batches stay below what the central node accepts, and a refused batch can be
// split down to single events (review M2).
#include "batch_split.hpp"
#include "ocsf_converter.hpp"
#include "telemetry_pipeline.hpp"
#include "test_util.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "event_builders.hpp"
#include "gzip.hpp"

using namespace vigil::kataedr;
using namespace kataedr_test;

namespace {
const OcsfContext kCtx{"agent-1", "host1", "0.1.0"};
constexpr uint64_t kSec = 1000000000ull;

// 32 KiB of control bytes: each becomes \u0001 (6 bytes) in JSON.
std::string poison() { return std::string(32000, '\x01'); }
}  // namespace

TEST_CASE("event size: long strings are cut and marked, the event stays under its cap") {
    auto p = sample_process("/bin/sh", poison());
    p.parent_cmdline = poison();
    auto ev = process_event(p);
    std::string unlimited, capped;
    REQUIRE(append_ocsf(kCtx, ev.view(VIGIL_TYPE_PROCESS_START), 1, unlimited));
    CHECK(unlimited.size() > 3 * 32000 * 6);
    REQUIRE(append_ocsf(kCtx, ev.view(VIGIL_TYPE_PROCESS_START), 1, capped, EventLimits{8192, 65536}));
    CHECK(capped.size() <= 65536);
    CHECK(capped.find(truncation_marker(32000 - 1024)) != std::string::npos);
    rapidjson::Document d;
    d.Parse(capped.data(), capped.size());
    REQUIRE_FALSE(d.HasParseError());
    // A UTF-8 character is never cut in half.
    std::string utf(5000, 'a');
    for (int i = 0; i < 3000; ++i) utf += "\xc3\xa9";
    std::string out;
    REQUIRE(append_ocsf(kCtx, process_event(sample_process("/bin/x", utf)).view(VIGIL_TYPE_PROCESS_START), 1, out,
                        EventLimits{5001, 65536}));
    CHECK(out.find(std::string(5000, 'a') + truncation_marker(6000)) != std::string::npos);
}

TEST_CASE("event size: a detection is never refused for its size") {
    auto t = threat_event("{\"x\":\"" + std::string(200000, 'y') + "\"}");
    std::string out;
    CHECK(append_ocsf(kCtx, t.view(VIGIL_TYPE_THREAT), 1, out, EventLimits{256, 4096}));
    CHECK(out.find("\"Detection Finding\"") != std::string::npos);
}

TEST_CASE("batch size: sealed before the uncompressed bound") {
    kataedr_test::TempDir dir;
    SequenceStore seq(dir.str() + "/seq");
    TelemetryPipeline::Options o;
    o.max_batch_events = 100000;
    o.max_batch_bytes = 1u << 20;
    o.event_limits = EventLimits{8192, 65536};
    TelemetryPipeline p(kCtx, o, nullptr, nullptr, &seq);
    auto ev = process_event(sample_process("/bin/sh", poison()));
    for (int i = 0; i < 200; ++i) p.offer(ev.view(VIGIL_TYPE_PROCESS_START), kSec);
    auto batches = p.take_ready(2 * kSec, true);
    REQUIRE(batches.size() > 1);
    uint32_t total = 0;
    for (const auto& b : batches) {
        CHECK(gzip_decompress(b.body).size() <= (1u << 20));
        total += b.count;
    }
    CHECK(total == 200);
}

TEST_CASE("batch split: halves with derived, repeatable sequence numbers, down to single events") {
    std::string body = "{\"agent_id\":\"a-1\",\"batch_seq\":7,\"events\":[{\"s\":\"],[{\\\"\"},{\"n\":[1,2]},{\"k\":3}]}";
    auto [a, b] = split_batch(gzip_compress(body), 7);
    CHECK(a.events == 1);
    CHECK(b.events == 2);
    CHECK(a.seq == ((1ull << 62) | (7ull << 20) | 2));
    CHECK(b.seq == ((1ull << 62) | (7ull << 20) | 3));
    std::string ta = gzip_decompress(a.body), tb = gzip_decompress(b.body);
    CHECK(ta == "{\"agent_id\":\"a-1\",\"batch_seq\":" + std::to_string(a.seq) + ",\"events\":[{\"s\":\"],[{\\\"\"}]}");
    CHECK(tb == "{\"agent_id\":\"a-1\",\"batch_seq\":" + std::to_string(b.seq) + ",\"events\":[{\"n\":[1,2]},{\"k\":3}]}");
    // The same split gives the same numbers (a retry is deduplicated by the server).
    CHECK(split_batch(gzip_compress(body), 7).first.seq == a.seq);
    auto [b1, b2] = split_batch(b.body, b.seq);
    CHECK(b1.seq == ((1ull << 62) | (7ull << 20) | 6));
    CHECK(b2.seq == ((1ull << 62) | (7ull << 20) | 7));
    CHECK_THROWS(split_batch(b1.body, b1.seq));  // one event: nothing to split
    CHECK_THROWS(split_batch(gzip_compress("{\"x\":1}"), 1));
}
