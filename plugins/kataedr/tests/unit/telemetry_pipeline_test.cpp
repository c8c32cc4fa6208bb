#include "telemetry_pipeline.hpp"
#include "test_util.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "event_builders.hpp"
#include "gzip.hpp"

using namespace vigil::kataedr;
using namespace kataedr_test;

namespace {
const OcsfContext kCtx{"agent-1", "host1", "0.1.0"};
constexpr uint64_t kSec = 1000000000ull;
}  // namespace

TEST_CASE("pipeline: batches by size and by delay, gzip bodies in sequence order") {
    kataedr_test::TempDir dir;
    SequenceStore seq(dir.str() + "/seq");
    TelemetryPipeline::Options o;
    o.max_batch_events = 3;
    o.max_delay_ns = 2 * kSec;
    TelemetryPipeline p(kCtx, o, nullptr, nullptr, &seq);
    auto ev = process_event(sample_process());
    CHECK_FALSE(p.offer(ev.view(VIGIL_TYPE_PROCESS_START), 10 * kSec));
    CHECK_FALSE(p.offer(ev.view(VIGIL_TYPE_PROCESS_START), 10 * kSec));
    CHECK(p.offer(ev.view(VIGIL_TYPE_PROCESS_START), 10 * kSec));  // full
    CHECK_FALSE(p.offer(ev.view(VIGIL_TYPE_PROCESS_START), 11 * kSec));
    CHECK(p.next_due_ns() == 0);
    auto ready = p.take_ready(11 * kSec, false);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].count == 3);
    CHECK(ready[0].seq == 1);
    rapidjson::Document body;
    std::string text = gzip_decompress(ready[0].body);
    body.Parse(text.data(), text.size());
    REQUIRE_FALSE(body.HasParseError());
    CHECK(std::string(body["agent_id"].GetString()) == "agent-1");
    CHECK(body["batch_seq"].GetUint64() == 1);
    const auto& d = body["events"];
    CHECK(d.Size() == 3);
    // metadata.sequence increases per event.
    CHECK(d[1]["metadata"]["sequence"].GetUint64() == d[0]["metadata"]["sequence"].GetUint64() + 1);
    CHECK(p.next_due_ns() == 13 * kSec);
    CHECK(p.take_ready(12 * kSec, false).empty());
    auto late = p.take_ready(13 * kSec, false);
    REQUIRE(late.size() == 1);
    CHECK(late[0].count == 1);
    CHECK(late[0].seq == 2);
    CHECK(gzip_decompress(late[0].body).find("\"batch_seq\":2,\"events\":[{") != std::string::npos);
    CHECK(p.take_ready(20 * kSec, true).empty());
}

TEST_CASE("pipeline: exclusions, rate limit and telemetry switch are counted; detections always pass") {
    Exclusions ex(std::vector<ExclusionRule>{{"/usr/bin/noisy", ""}});
    RateLimiter rl(true, 10, 20);  // 2 per type
    kataedr_test::TempDir dir;
    SequenceStore seq(dir.str() + "/seq");
    TelemetryPipeline::Options o;
    TelemetryPipeline p(kCtx, o, &ex, &rl, &seq);
    auto noisy = process_event(sample_process("/usr/bin/noisy", "noisy"));
    auto normal = file_event(VIGIL_FILE_MODIFY, "/x", sample_process());
    auto threat = threat_event("{}");
    p.offer(noisy.view(VIGIL_TYPE_PROCESS_START), 1);
    for (int i = 0; i < 5; ++i) p.offer(normal.view(VIGIL_TYPE_FILE), 1);
    for (int i = 0; i < 5; ++i) p.offer(threat.view(VIGIL_TYPE_THREAT), 1);
    CHECK(p.counters().excluded == 1);
    CHECK(p.counters().rate_limited == 3);
    CHECK(p.counters().accepted == 7);
    CHECK(rl.dropped() == 3);

    TelemetryPipeline::Options off;
    off.telemetry_enabled = false;
    TelemetryPipeline q(kCtx, off, nullptr, nullptr, &seq);
    q.offer(normal.view(VIGIL_TYPE_FILE), 1);
    q.offer(threat.view(VIGIL_TYPE_THREAT), 1);
    CHECK(q.counters().telemetry_off == 1);
    CHECK(q.counters().accepted == 1);
}

TEST_CASE("gzip round trip") {
    std::string text(100000, 'x');
    text += "end";
    std::string gz = gzip_compress(text);
    CHECK(gz.size() < text.size() / 10);
    CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
    CHECK(gzip_decompress(gz) == text);
    CHECK_THROWS(gzip_decompress("not gzip"));
    // In parts (as batches are sealed), with more output than one internal buffer.
    std::string big;
    for (int i = 0; i < 200000; ++i) big += std::to_string(i * 7919 % 100003) + ",";
    CHECK(gzip_decompress(gzip_compress_parts({"{", big, "", "}"})) == "{" + big + "}");
    GzipStream gs;
    gs.append("{");
    gs.append(big);
    gs.append("");
    CHECK(gzip_decompress(gs.finish("}")) == "{" + big + "}");
    CHECK_THROWS_AS(gs.append("x"), std::logic_error);
    CHECK_THROWS(gzip_decompress(gz.substr(0, gz.size() / 2)));
}
