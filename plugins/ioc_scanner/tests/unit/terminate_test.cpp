// The terminate action: ioc_scanner asks the response plugin (stood in for by
// the fake sink, which pins and kills like response) and reports its answer.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <vigil/common/proc.hpp>

#include "engine_test_util.hpp"

using namespace vigil::ioc_scanner;
using namespace vigil::ioc_scanner::test;

TEST_CASE("ioc_scanner engine matches a process by name and terminates it") {
    TempDir t;
    const std::string name = "iocsleep" + std::to_string(getpid());
    pid_t target = spawn_sleep_copy(t.path / name);
    pid_t near = spawn_sleep_copy(t.path / (name + "x"));
    REQUIRE(target > 0);
    REQUIRE(near > 0);

    ScanRequest req;
    req.ioc_xml = {ioc_xml(
        "proc",
        ind("AND", item("ProcessItem/name", "is", name) + item("ProcessItem/arguments", "contains", "300") +
                       item("ProcessItem/path", "is", t.path.string()) +
                       item("ProcessItem/parentpid", "is", std::to_string(getpid()), "int") +
                       item("ProcessItem/Username", "is", user_name()) +
                       item("ProcessItem/startTime", "greater-than", "2020-01-01T00:00:00Z", "date")))};
    req.documents.files = false;
    req.terminate = true;
    std::atomic<bool> cancel{false};
    FakeSink sink;
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink);
    REQUIRE(r.matches.size() == 1);
    REQUIRE(r.matches[0].evidence.size() == 1);
    CHECK(r.matches[0].evidence[0].pid == target);
    CHECK(r.matches[0].evidence[0].exe == (t.path / name).string());
    REQUIRE(r.actions.size() == 1);
    CHECK(r.actions[0].action == "terminate");
    CHECK(r.actions[0].ok);
    // Asked of response with the start time it matched with; its answer is in the details.
    REQUIRE(sink.terminate_asked.size() == 1);
    CHECK(sink.terminate_asked[0].pid == target);
    CHECK(sink.terminate_asked[0].start_ticks == r.matches[0].evidence[0].start_ticks);
    CHECK(sink.terminate_asked[0].start_ticks != 0);
    CHECK(r.actions[0].details_json.find("\"response\":{\"matched\":1,\"terminated\":[{\"pid\":" +
                                         std::to_string(target) + ",\"signal\":\"SIGTERM\"}]}") !=
          std::string::npos);
    int status = 0;
    REQUIRE(waitpid(target, &status, 0) == target);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    // The near miss still runs.
    CHECK(waitpid(near, &status, WNOHANG) == 0);
    kill(near, SIGKILL);
    waitpid(near, &status, 0);
}

TEST_CASE("ioc_scanner engine reports response's refusal of a terminate and keeps the process") {
    TempDir t;
    const std::string name = "iocrefuse" + std::to_string(getpid());
    pid_t target = spawn_sleep_copy(t.path / name);
    REQUIRE(target > 0);
    ScanRequest req;
    req.ioc_xml = {ioc_xml("proc", ind("AND", item("ProcessItem/name", "is", name)))};
    req.documents.files = false;
    req.terminate = true;
    std::atomic<bool> cancel{false};
    FakeSink sink;
    sink.terminate_error = "refused: pid " + std::to_string(target) + " started at 1 ns, not at the expected start_time_ns";
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink);
    REQUIRE(r.actions.size() == 1);
    CHECK_FALSE(r.actions[0].ok);
    CHECK(r.actions[0].error == sink.terminate_error);
    CHECK(r.actions[0].details_json == "{\"pid\":" + std::to_string(target) + ",\"exe\":\"" +
                                           (t.path / name).string() + "\"}");
    REQUIRE(sink.done.size() == 1);
    CHECK_FALSE(sink.done[0].ok);
    int status = 0;
    CHECK(waitpid(target, &status, WNOHANG) == 0);
    kill(target, SIGKILL);
    waitpid(target, &status, 0);
}

TEST_CASE("ioc_scanner terminate_args: pid, start time in response's unit, grace") {
    const uint64_t ticks = vigil::common::ProcFs().stat(getpid())->start_ticks;
    const std::string a = terminate_args({getpid(), ticks, "/x"}, 2);
    rapidjson::Document d;
    d.Parse(a.c_str());
    REQUIRE(d.IsObject());
    CHECK(d["pid"].GetInt() == getpid());
    CHECK(d["grace_s"].GetUint() == 2);
    // The same conversion response applies to /proc (boot time + ticks).
    const uint64_t expect = vigil::common::ProcFs().start_time_ns(getpid());
    const uint64_t got = d["start_time_ns"].GetUint64();
    CHECK((got > expect ? got - expect : expect - got) < 5'000'000);
    // Unknown start time: no guard is invented.
    CHECK(terminate_args({42, 0, ""}, 2) == "{\"pid\":42,\"grace_s\":2}");
}

