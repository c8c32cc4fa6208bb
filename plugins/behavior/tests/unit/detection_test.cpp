// Detection glue with the real Sigma engine: threat fields, block kills the
// process and reports it, trusted programs are left alone.
#include "capture_sink.hpp"
#include "process/proc_reader.hpp"
#include "detection.hpp"
#include "event_json.hpp"
#include "detection_test_util.hpp"
#include "workload.hpp"

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

using namespace vigil::behavior;
using vigil::behavior::test::Captured;
using vigil::behavior::test::CaptureSink;
using vigil::behavior::test::process_start;
using vigil::behavior::test::record_with_marker;
using vigil::behavior::test::RuleDir;


TEST_CASE("notify: a matching process start publishes a threat with rule and process") {
    RuleDir rules(vigil::behavior::test::kMarkerRule);
    Settings s;
    s.builtin_rules = false;
    s.rules_dirs = {rules.dir};
    CaptureSink sink;
    DetectionHooks h;
    h.publish = std::ref(sink);
    Detection d(s, h);
    vigil::ProcessInfo p;
    p.pid = 4242;
    p.exe = "/usr/bin/bash";
    p.argv = {"bash", "-c", "echo unit-marker-7d1c"};
    p.cmdline = "bash -c echo unit-marker-7d1c";
    p.sha256 = std::string(64, 'a');
    p.flags = VIGIL_PROC_FLAG_KNOWN;
    auto payload = process_start(p);
    d.evaluate(VIGIL_TYPE_PROCESS_START, payload.data(), uint32_t(payload.size()));
    Captured t;
    REQUIRE(sink.wait_for([](const Captured& c) { return c.type == VIGIL_TYPE_THREAT; }, &t, 0.1));
    auto v = t.as<vigil_threat_event>();
    CHECK(v->severity == VIGIL_SEV_CRITICAL);
    CHECK(v.str(v->detector) == "sigma");
    CHECK(v.str(v->rule_id) == "0b7f0b5e-1111-4c4e-9d55-2b7c9a0e4d11");
    CHECK(v.str(v->title) == "Unit test marker");
    CHECK(v.str(v->author) == "Vigil unit tests");
    CHECK(v.str(v->tags) == "attack.execution,attack.t1059.004");
    CHECK(v.str(v->object) == "/usr/bin/bash");
    CHECK(v.str(v->sha256) == p.sha256);
    CHECK(v.str(v->trigger_json).find("unit-marker-7d1c") != std::string_view::npos);
    CHECK(t.process(&vigil_threat_event::process).pid == 4242);
    // No kill in notify mode, and nothing for a non-matching event.
    CHECK_FALSE(sink.wait_for([](const Captured& c) { return c.type == VIGIL_TYPE_ACTION_RESULT; }, nullptr, 0.05));
    p.cmdline = "bash -c true";
    auto other = process_start(p);
    size_t before = sink.count();
    d.evaluate(VIGIL_TYPE_PROCESS_START, other.data(), uint32_t(other.size()));
    CHECK(sink.count() == before);
}

TEST_CASE("block: the matching process is killed and the result published; trusted ones are not") {
    RuleDir rules(vigil::behavior::test::kMarkerRule);
    Settings s;
    s.builtin_rules = false;
    s.rules_dirs = {rules.dir};
    s.mode = "block";
    pid_t child = ::fork();
    if (child == 0) {
        // The marker rides in argv[0]: sleep refuses extra arguments.
        ::execl("/bin/sleep", "sleep-unit-marker-7d1c", "30", (char*)nullptr);
        ::_exit(127);
    }
    auto rec = record_with_marker(child, "unit-marker-7d1c");
    REQUIRE(rec);
    auto payload = process_start(rec->info);

    SUBCASE("trusted program: no threat, still running") {
        Settings::Trusted t;
        t.path = rec->info.exe;
        REQUIRE(!t.path.empty());
        s.trusted_programs.push_back(t);
        CaptureSink sink;
        DetectionHooks h;
        h.publish = std::ref(sink);
        Detection d(s, h);
        d.evaluate(VIGIL_TYPE_PROCESS_START, payload.data(), uint32_t(payload.size()));
        CHECK(sink.count() == 0);
        CHECK(::kill(child, 0) == 0);
        ::kill(child, SIGKILL);
        int st = 0;
        ::waitpid(child, &st, 0);
    }
    SUBCASE("not trusted: killed") {
        CaptureSink sink;
        DetectionHooks h;
        h.publish = std::ref(sink);
        Detection d(s, h);
        d.evaluate(VIGIL_TYPE_PROCESS_START, payload.data(), uint32_t(payload.size()));
        int st = 0;
        REQUIRE(::waitpid(child, &st, 0) == child);
        CHECK(WIFSIGNALED(st));
        CHECK(WTERMSIG(st) == SIGKILL);
        Captured a;
        REQUIRE(sink.wait_for([](const Captured& c) { return c.type == VIGIL_TYPE_ACTION_RESULT; }, &a, 0.1));
        auto v = a.as<vigil_action_result>();
        CHECK(v->status == VIGIL_OK);
        CHECK(v->threat_id != 0);
        CHECK(v.str(v->action) == "block");
        CHECK(v.str(v->origin) == "policy");
        CHECK(v.str(v->object).find("pid " + std::to_string(child)) == 0);
    }
}

TEST_CASE("event JSON names actions and shows addresses as text") {
    vigil::PayloadBuilder<vigil_network_event> b;
    b.head().action = VIGIL_NET_CONNECT;
    b.head().family = AF_INET;
    b.head().remote_port = 8080;
    uint8_t lo[4] = {127, 0, 0, 1};
    std::memcpy(b.head().remote_addr, lo, 4);
    vigil::ProcessInfo p;
    p.pid = 7;
    p.argv = {"curl", "x\"y"};
    b.set_process(&vigil_network_event::process, p);
    std::string j = event_json(VIGIL_TYPE_NETWORK, b.data(), b.size());
    CHECK(j.find("\"action\":\"connect\"") != std::string::npos);
    CHECK(j.find("\"remote_addr\":\"127.0.0.1\"") != std::string::npos);
    CHECK(j.find("\"remote_port\":8080") != std::string::npos);
    CHECK(j.find("\"argv\":[\"curl\",\"x\\\"y\"]") != std::string::npos);
}

TEST_CASE("trusted with descendants: a child of a trusted program is not alerted on") {
    RuleDir rules(vigil::behavior::test::kMarkerRule);
    Settings s;
    s.builtin_rules = false;
    s.rules_dirs = {rules.dir};
    Settings::Trusted t;
    t.path = "/opt/trusted-agent/*";
    t.descendants = true;
    s.trusted_programs.push_back(t);
    CaptureSink sink;
    DetectionHooks h;
    h.publish = std::ref(sink);
    int asked = 0;
    std::vector<std::string> chain{"/usr/bin/bash", "/opt/trusted-agent/bin/runner"};
    h.ancestors = [&](int32_t pid) {
        ++asked;
        CHECK(pid == 99);
        return chain;
    };
    Detection d(s, h);
    vigil::ProcessInfo p;
    p.pid = 99;
    p.exe = "/usr/bin/python3";
    p.cmdline = "python3 -c print('unit-marker-7d1c')";
    auto payload = process_start(p);
    d.evaluate(VIGIL_TYPE_PROCESS_START, payload.data(), uint32_t(payload.size()));
    CHECK(sink.count() == 0);
    CHECK(asked == 1);
    // Without the trusted ancestor the same event is a detection.
    chain = {"/usr/bin/bash"};
    d.evaluate(VIGIL_TYPE_PROCESS_START, payload.data(), uint32_t(payload.size()));
    CHECK(sink.count() == 1);
}
