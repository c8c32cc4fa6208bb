// The netlink sensors against real processes started by the test.
#include "capture_sink.hpp"
#include "process/proc_reader.hpp"
#include "sensors/fanotify_sensor.hpp"
#include "sensors/netlink_proc_sensor.hpp"
#include "sensors/sock_diag_sensor.hpp"
#include "workload.hpp"
#include "telemetry_pipeline.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

using namespace vigil::behavior;
using vigil::behavior::test::Captured;
using vigil::behavior::test::CaptureSink;

using vigil::behavior::test::run;


TEST_CASE("netlink proc sensor reports exec and exit of a real shell with context") {
    CaptureSink sink;
    PipelineOptions o;
    o.hash_wait_ms = 5000;  // what the workers complete, not how fast (loaded machines)
    TelemetryPipeline pipeline(o, std::ref(sink));
    NetlinkProcSensor sensor;
    sensor.start(pipeline);
    // The shell lives until its start event arrived, so that /proc can be read while it
    // lives even when a loaded machine runs the sensor thread late.
    std::string script = "sleep 0.3; read x; exit 7";
    vigil::behavior::test::HeldProcess held({"/bin/sh", "-c", script, "marker-arg"});
    pid_t pid = held.pid();
    Captured start, exit;
    bool got_start = sink.wait_for([&](const Captured& c) {
        return c.type == VIGIL_TYPE_PROCESS_START && c.as<vigil_process_event>()->process.pid == pid;
    }, &start);
    held.release();
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
    CHECK(p.argv[2] == script);
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

TEST_CASE("sock_diag sensor reports curl's connection to a loopback listener") {
    if (::access("/usr/bin/curl", X_OK) != 0) return;
    CaptureSink sink;
    TelemetryPipeline pipeline(PipelineOptions{}, std::ref(sink));
    SockDiagSensor sensor(50, 0);
    sensor.start(pipeline);
    // The listener holds the connection long enough for a few polls.
    vigil::behavior::test::LoopbackServer server(600);
    int status = 0;
    std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
    pid_t pid = run({"/usr/bin/curl", "-s", "-o", "/dev/null", url}, &status);
    Captured c;
    bool got = sink.wait_for([&](const Captured& x) {
        if (x.type != VIGIL_TYPE_NETWORK) return false;
        auto v = x.as<vigil_network_event>();
        return v->action == VIGIL_NET_CONNECT && v->remote_port == server.port();
    }, &c);
    bool got_listen = sink.wait_for([&](const Captured& x) {
        if (x.type != VIGIL_TYPE_NETWORK) return false;
        auto v = x.as<vigil_network_event>();
        return v->action == VIGIL_NET_ACCEPT && v->local_port == server.port() && v->process.pid == ::getpid();
    }, nullptr);
    sensor.stop();
    REQUIRE(got);
    CHECK(got_listen);
    auto v = c.as<vigil_network_event>();
    CHECK(v->process.pid == pid);
    CHECK(v->family == AF_INET);
    CHECK(std::memcmp(v->remote_addr, "\x7f\x00\x00\x01", 4) == 0);
    CHECK(v->local_port != 0);
}

TEST_CASE("fanotify sensor reports create, modify, rename, chmod and delete with paths and pid") {
    std::string dir = vigil::behavior::test::make_temp_dir("behavior_fan_");
    REQUIRE(!dir.empty());
    CaptureSink sink;
    PipelineOptions o;
    o.files = PathFilter({dir}, {});
    TelemetryPipeline pipeline(o, std::ref(sink));
    FanotifySensor sensor({dir}, 0);
    sensor.start(pipeline);
    std::string a = dir + "/a", b = dir + "/b";
    int status = 0;
    run({"/bin/sh", "-c", "echo x > " + a + " && mv " + a + " " + b + " && chmod 700 " + b + " && rm " + b}, &status);
    auto wait_file = [&](uint32_t action, const std::string& path, Captured* out) {
        return sink.wait_for([&](const Captured& x) {
            if (x.type != VIGIL_TYPE_FILE) return false;
            auto v = x.as<vigil_file_event>();
            return v->action == action && v.str(v->path) == path;
        }, out);
    };
    Captured c;
    bool create = wait_file(VIGIL_FILE_CREATE, a, &c);
    bool modify = wait_file(VIGIL_FILE_MODIFY, a, nullptr);
    Captured r;
    bool rename = wait_file(VIGIL_FILE_RENAME, a, &r);
    bool chmod = wait_file(VIGIL_FILE_CHMOD, b, nullptr);
    Captured d;
    bool del = wait_file(VIGIL_FILE_DELETE, b, &d);
    sensor.stop();
    std::filesystem::remove_all(dir);
    CHECK(create);
    CHECK(modify);
    REQUIRE(rename);
    auto rv = r.as<vigil_file_event>();
    CHECK(rv.str(rv->new_path) == b);
    CHECK(chmod);
    REQUIRE(del);
    CHECK(d.as<vigil_file_event>()->process.pid > 0);
}
