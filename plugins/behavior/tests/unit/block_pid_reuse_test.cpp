// Block mode against real pid reuse: the matching process exits before the
// kill runs and another process (same executable) is started at its pid with
// clone3 set_tid. The kill must refuse, say why, and leave the newcomer alive.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include "capture_sink.hpp"
#include "detection_test_util.hpp"
#include "detection.hpp"
#include "vigil/testing/pid_reuse.hpp"
#include "vigil/testing/privileges.hpp"

namespace bt = vigil::behavior::test;
using vigil::testing::ChildProcess;


TEST_CASE("block: a delayed kill never hits the process that reused the judged pid") {
    VIGIL_REQUIRE_ROOT();
    bt::RuleDir rules(bt::kMarkerRule);
    vigil::behavior::Settings s;
    s.builtin_rules = false;
    s.rules_dirs = {rules.dir};
    s.mode = "block";
    for (int tries = 1; tries <= 20; ++tries) {
        auto victim = ChildProcess::run([]() -> int {
            ::execl("/bin/sleep", "sleep-unit-marker-7d1c", "30", (char*)nullptr);
            return 127;
        });
        const auto rec = bt::record_with_marker(victim.pid(), "unit-marker-7d1c");
        REQUIRE(rec);
        const vigil::ProcessInfo* info = &rec->info;
        const auto payload = bt::process_start(*info);
        // Same executable as the judged one: the exe check alone cannot tell them apart.
        auto r = vigil::testing::reuse_pid(victim, {"/bin/sleep", "30"});
        VIGIL_REQUIRE(r.status != vigil::testing::PidReuse::not_allowed, r.why);
        if (r.status == vigil::testing::PidReuse::taken) continue;
        MESSAGE("pid " << info->pid << " reused after " << tries << " tries");
        REQUIRE(vigil::behavior::ProcReader().exe(info->pid) == info->exe);

        bt::CaptureSink sink;
        vigil::behavior::DetectionHooks h;
        h.publish = std::ref(sink);
        vigil::behavior::Detection d(s, h);
        d.evaluate(VIGIL_TYPE_PROCESS_START, payload.data(), uint32_t(payload.size()));
        bt::Captured a;
        REQUIRE(sink.wait_for([](const bt::Captured& c) { return c.type == VIGIL_TYPE_ACTION_RESULT; }, &a, 1.0));
        auto v = a.as<vigil_action_result>();
        CHECK(v->status == VIGIL_EFAILED);
        CHECK(v.str(v->action) == "block");
        CHECK(v.str(v->error).find("is another process now") != std::string_view::npos);
        CHECK(r.child->running());
        CHECK(::kill(info->pid, 0) == 0);
        return;
    }
    FAIL("the freed pid was taken by another process 20 times in a row");
}
