// The rate limit is fair between users, never touches trees with a detection, and says
// when it drops (review M1).
#include "detection_trees.hpp"
#include "rate_limiter.hpp"
#include "telemetry_pipeline.hpp"
#include "test_util.hpp"

#include <doctest/doctest.h>

#include <string>

#include "event_builders.hpp"
#include "gzip.hpp"

using namespace vigil::kataedr;
using namespace kataedr_test;

namespace {
constexpr uint64_t kSec = 1000000000ull;
const OcsfContext kCtx{"agent-1", "host1", "0.1.0"};

RateLimiter::Options fair(uint32_t per_hour) { return RateLimiter::Options{true, per_hour, 15, 25}; }
}  // namespace

TEST_CASE("rate limit: a flooding user takes at most its share; other users keep theirs") {
    RateLimiter rl(fair(3000));  // 750 per user, 450 per user and type
    CHECK(rl.owner_limit() == 750);
    int flood = 0;
    for (int i = 0; i < 100000; ++i)
        for (const char* t : {"process_start", "process_exit", "file_create"})
            if (rl.admit(1000, t, kSec) == RateLimiter::Verdict::accept) ++flood;
    CHECK(flood == 750);
    int other = 0, root = 0;
    for (int i = 0; i < 400; ++i) {
        if (rl.admit(1001, "process_start", 2 * kSec) == RateLimiter::Verdict::accept) ++other;
        if (rl.admit(0, "process_start", 2 * kSec) == RateLimiter::Verdict::accept) ++root;
    }
    CHECK(other == 400);
    CHECK(root == 400);
}

TEST_CASE("rate limit: one notice when an owner and type start dropping, a summary when the hour ends") {
    RateLimiter rl(fair(100));  // 25 per user, 15 per user and type
    for (int i = 0; i < 40; ++i) rl.admit(1000, "process_start", kSec);
    auto n = rl.take_notices();
    REQUIRE(n.size() == 1);
    CHECK_FALSE(n[0].summary);
    CHECK(n[0].owner == 1000);
    CHECK(n[0].type == "process_start");
    CHECK(n[0].reason == "type_threshold");
    CHECK(rl.take_notices().empty());  // not once per drop
    rl.admit(1000, "x", 3601 * kSec);  // a new hour
    n = rl.take_notices();
    REQUIRE(n.size() == 1);
    CHECK(n[0].summary);
    CHECK(n[0].dropped == 25);
}

TEST_CASE("detection trees: the detected process, its same-user parent and their descendants") {
    DetectionTrees t;
    // bash (pid 100, uid 1000) under sshd (pid 50, root); nc (200) and ls (201) under bash;
    // a child of nc (300).
    t.observe({50, 1, 0, 5000});
    t.observe({100, 50, 1000, 10000});
    t.observe({200, 100, 1000, 20000});
    t.observe({201, 100, 1000, 20100});
    t.observe({300, 200, 1000, 30000});
    CHECK_FALSE(t.protects({300, 200, 1000, 30000}, kSec));
    t.protect({200, 100, 1000, 20000}, kSec);  // nc was detected
    CHECK(t.protects({200, 100, 1000, 20000}, kSec));
    CHECK(t.protects({300, 200, 1000, 30000}, kSec));   // its child
    CHECK(t.protects({201, 100, 1000, 20100}, kSec));   // a sibling under the same shell
    CHECK(t.protects({100, 50, 1000, 10000}, kSec));    // the shell
    CHECK_FALSE(t.protects({50, 1, 0, 5000}, kSec));    // sshd: another user, not protected
    CHECK_FALSE(t.protects({999, 1, 1000, 99900}, kSec));
    // Protection ends an hour after the detection.
    CHECK_FALSE(t.protects({300, 200, 1000, 30000}, 3602 * kSec));
}

TEST_CASE("pipeline: a flood cannot push out other users' events; a tree with a detection is never limited") {
    kataedr_test::TempDir dir;
    SequenceStore seq(dir.str() + "/seq");
    RateLimiter rl(fair(100));
    DetectionTrees trees;
    Exclusions ex(std::vector<ExclusionRule>{{"", "hide-me"}});
    TelemetryPipeline::Options o;
    o.max_batch_events = 100000;
    TelemetryPipeline p(kCtx, o, &ex, &rl, &seq, &trees);
    auto flooder = sample_process("/bin/true", "true");
    flooder.uid = 1000;
    for (int i = 0; i < 500; ++i) p.offer(process_event(flooder).view(VIGIL_TYPE_PROCESS_START), kSec);
    auto victim = sample_process("/usr/bin/id", "id");
    victim.uid = 1001;
    victim.pid = 5000;
    victim.process_key = 5555;
    p.offer(process_event(victim).view(VIGIL_TYPE_PROCESS_START), 2 * kSec);
    // The flooder gets a detection: its tree's events now pass, also one an exclusion matches.
    auto t = threat_event("{}");
    auto tv = t.view(VIGIL_TYPE_THREAT);
    p.offer(tv, 3 * kSec);  // sample_process(): pid 4242, key 99, uid 1000
    auto child = sample_process("/bin/sh", "sh -c hide-me");
    child.uid = 1000;
    child.pid = 4243;
    child.ppid = 4242;
    child.process_key = 100;
    for (int i = 0; i < 50; ++i) p.offer(process_event(child).view(VIGIL_TYPE_PROCESS_START), 4 * kSec);
    CHECK(p.counters().protected_events == 50);
    auto batches = p.take_ready(5 * kSec, true);
    REQUIRE(batches.size() == 1);
    std::string body = gzip_decompress(batches[0].body);
    CHECK(body.find("\"/usr/bin/id\"") != std::string::npos);
    CHECK(body.find("\"telemetry_limited\"") != std::string::npos);
    CHECK(p.counters().limit_notices >= 1);
    // 15 of the flood, the victim, the threat, 50 protected, the notice(s).
    CHECK(batches[0].count >= 67);
}
