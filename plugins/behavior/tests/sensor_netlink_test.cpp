// The netlink sensors against real processes started by the test.
#include "capture_sink.hpp"
#include "process/proc_reader.hpp"
#include "sensors/netlink_proc_sensor.hpp"
#include "src/telemetry_pipeline.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

using namespace behavior;
using behavior::test::Captured;
using behavior::test::CaptureSink;

namespace {

// fork + exec argv; returns the child's pid after it ended with `status`.
pid_t run(std::vector<std::string> argv, int* status) {
    pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> a;
        for (auto& s : argv) a.push_back(s.data());
        a.push_back(nullptr);
        ::execv(a[0], a.data());
        ::_exit(127);
    }
    ::waitpid(pid, status, 0);
    return pid;
}

}  // namespace

TEST_CASE("netlink proc sensor reports exec and exit of a real shell with context") {
    CaptureSink sink;
    PipelineOptions o;
    TelemetryPipeline pipeline(o, std::ref(sink));
    NetlinkProcSensor sensor;
    sensor.start(pipeline);
    int status = 0;
    // The shell sleeps briefly so that /proc can be read while it lives.
    pid_t pid = run({"/bin/sh", "-c", "sleep 0.3; exit 7", "marker-arg"}, &status);
    Captured start, exit;
    bool got_start = sink.wait_for([&](const Captured& c) {
        return c.type == VIGIL_TYPE_PROCESS_START && c.as<vigil_process_event>()->process.pid == pid;
    }, &start);
    bool got_exit = sink.wait_for([&](const Captured& c) {
        return c.type == VIGIL_TYPE_PROCESS_EXIT && c.as<vigil_process_event>()->process.pid == pid;
    }, &exit);
    sensor.stop();
    REQUIRE(got_start);
    REQUIRE(got_exit);
    auto p = start.process(&vigil_process_event::process);
    CHECK(p.pid == pid);
    CHECK(p.ppid == ::getpid());
    char real[4096];
    REQUIRE(::realpath("/bin/sh", real));
    CHECK(p.exe == real);
    REQUIRE(p.argv.size() == 4);
    CHECK(p.argv[2] == "sleep 0.3; exit 7");
    CHECK(p.argv[3] == "marker-arg");
    CHECK(p.uid == ::getuid());
    if (::getuid() == 0) CHECK(p.user == "root");
    CHECK(p.sha256.size() == 64);
    CHECK(p.parent_exe == ProcReader().exe(::getpid()));
    CHECK((p.flags & VIGIL_PROC_FLAG_KNOWN) != 0);
    auto x = exit.as<vigil_process_event>();
    CHECK(x->exit_code == 7);
    CHECK(x->exit_signal == 0);
    CHECK(x->lifetime_ns >= 250000000ull);
    auto xp = exit.process(&vigil_process_event::process);
    CHECK(xp.exe == real);
}
