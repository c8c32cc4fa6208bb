// Block mode against real pid reuse: the matching process exits before the
// kill runs and another process (same executable) is started at its pid with
// clone3 set_tid. The kill must refuse, say why, and leave the newcomer alive.
#include "capture_sink.hpp"
#include "process/proc_reader.hpp"
#include "src/detection.hpp"
#include "workload.hpp"

#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "vigil/testing/child_process.hpp"
#include "vigil/testing/pid_reuse.hpp"
#include "vigil/testing/privileges.hpp"

using namespace behavior;
using behavior::test::Captured;
using behavior::test::CaptureSink;
using vigil::testing::ChildProcess;
using vigil::testing::PidReuse;

namespace {

const char* kRule = R"(title: Unit test marker
id: 0b7f0b5e-2222-4c4e-9d55-2b7c9a0e4d11
status: test
description: marker in a command line
author: Vigil unit tests
logsource: {product: linux, category: process_creation}
detection:
  selection:
    CommandLine|contains: 'unit-marker-reuse'
  condition: selection
level: critical
)";

struct RuleDir {
    std::string dir = behavior::test::make_temp_dir("behavior_rules_");
    RuleDir() { std::ofstream(dir + "/marker.yml") << kRule; }
    ~RuleDir() { std::filesystem::remove_all(dir); }
};

std::vector<char> process_start(const vigil::ProcessInfo& p) {
    vigil::PayloadBuilder<vigil_process_event> b;
    b.set_process(&vigil_process_event::process, p);
    auto* d = static_cast<const char*>(b.data());
    return std::vector<char>(d, d + b.size());
}

// The process record the sensors would have judged: sleep with the marker.
std::optional<vigil::ProcessInfo> judged(pid_t pid) {
    auto rec = ProcReader().read(pid);
    for (int i = 0; i < 4000 && !(rec && rec->info.cmdline.find("unit-marker-reuse") != std::string::npos); ++i) {
        ::usleep(5000);
        rec = ProcReader().read(pid);
    }
    if (!rec) return std::nullopt;
    return rec->info;
}

}  // namespace

TEST_CASE("block: a delayed kill never hits the process that reused the judged pid") {
    VIGIL_REQUIRE_ROOT();
    RuleDir rules;
    Settings s;
    s.builtin_rules = false;
    s.rules_dirs = {rules.dir};
    s.mode = "block";
    for (int tries = 1; tries <= 20; ++tries) {
        auto victim = ChildProcess::run([]() -> int {
            ::execl("/bin/sleep", "sleep-unit-marker-reuse", "30", (char*)nullptr);
            return 127;
        });
        auto info = judged(victim.pid());
        REQUIRE(info);
        const auto payload = process_start(*info);
        // Same executable as the judged one: the exe check alone cannot tell them apart.
        auto r = vigil::testing::reuse_pid(victim, {"/bin/sleep", "30"});
        VIGIL_REQUIRE(r.status != PidReuse::not_allowed, r.why);
        if (r.status == PidReuse::taken) continue;
        MESSAGE("pid " << info->pid << " reused after " << tries << " tries");
        REQUIRE(ProcReader().exe(info->pid) == info->exe);

        CaptureSink sink;
        DetectionHooks h;
        h.publish = std::ref(sink);
        Detection d(s, h);
        d.evaluate(VIGIL_TYPE_PROCESS_START, payload.data(), uint32_t(payload.size()));
        Captured a;
        REQUIRE(sink.wait_for([](const Captured& c) { return c.type == VIGIL_TYPE_ACTION_RESULT; }, &a, 1.0));
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
