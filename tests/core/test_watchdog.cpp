// The sd_notify datagram protocol against a fake NOTIFY_SOCKET, and the
// watchdog: pings while the bus and heartbeats progress, none while a bus
// subscriber is stuck or a heartbeat is stale.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <vigil/sdk.hpp>

#include "bus.hpp"
#include <vigil/common/sd_notify.hpp>
#include <vigil/testing/notify_socket.hpp>
#include "vigil/testing/temp_dir.hpp"
#include "watchdog.hpp"

using namespace vigil::core;
using vigil::common::SystemdNotifier;
using vigil::testing::FakeNotifySocket;
using namespace std::chrono_literals;

namespace {
size_t count(const std::vector<std::string>& v, const std::string& s) {
    size_t n = 0;
    for (const auto& x : v) n += x == s;
    return n;
}
}  // namespace

TEST_CASE("notify datagrams reach a path socket and an abstract socket") {
    vigil::testing::TempDir dir;
    FakeNotifySocket path_sock((dir / "notify").string());
    SystemdNotifier n(path_sock.address(), 0us);
    REQUIRE(n.enabled());
    CHECK(n.ready("running; 3 of 3 plugins running"));
    CHECK(n.reloading());
    CHECK(n.stopping());
    CHECK(n.status("line\ninjected=1"));
    auto got = path_sock.drain(200ms);
    REQUIRE(got.size() == 4);
    CHECK(got[0] == "READY=1\nSTATUS=running; 3 of 3 plugins running");
    CHECK(got[1].rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
    CHECK(got[2] == "STOPPING=1");
    CHECK(got[3] == "STATUS=line injected=1");  // no second assignment smuggled in

    FakeNotifySocket abstract_sock("vigil-test-notify-" + std::to_string(::getpid()), true);
    SystemdNotifier a(abstract_sock.address(), 0us);
    CHECK(a.watchdog_ping());
    CHECK(abstract_sock.drain(200ms) == std::vector<std::string>{"WATCHDOG=1"});
}

TEST_CASE("the environment is read once and removed; a foreign WATCHDOG_PID disables the watchdog") {
    ::setenv("NOTIFY_SOCKET", "/run/x/notify", 1);
    ::setenv("WATCHDOG_USEC", "30000000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    auto n = SystemdNotifier::from_environment();
    CHECK(n.enabled());
    CHECK(n.watchdog_timeout() == 30s);
    CHECK(::getenv("NOTIFY_SOCKET") == nullptr);
    CHECK(::getenv("WATCHDOG_USEC") == nullptr);
    ::setenv("NOTIFY_SOCKET", "relative/path", 1);
    ::setenv("WATCHDOG_USEC", "30000000", 1);
    ::setenv("WATCHDOG_PID", "1", 1);
    auto m = SystemdNotifier::from_environment();
    CHECK_FALSE(m.enabled());
    CHECK(m.watchdog_timeout() == 0us);
    CHECK(SystemdNotifier().send("READY=1"));  // disabled: a no-op that succeeds
}

TEST_CASE("liveness: a busy subscription without deliveries for the limit is a stall") {
    LivenessCheck check(2000ms);
    auto t0 = std::chrono::steady_clock::now();
    SubscriptionSnapshot s;
    s.id = 7;
    s.owner = "file_threat";
    s.busy = true;
    s.delivered = 10;
    CHECK(check.evaluate({s}, {}, t0, 0).empty());
    CHECK(check.evaluate({s}, {}, t0 + 1500ms, 0).empty());
    s.delivered = 11;  // progress restarts the clock
    CHECK(check.evaluate({s}, {}, t0 + 1900ms, 0).empty());
    CHECK(check.evaluate({s}, {}, t0 + 3000ms, 0).empty());
    auto stalled = check.evaluate({s}, {}, t0 + 4000ms, 0);
    REQUIRE(stalled.size() == 1);
    CHECK(stalled[0].find("bus subscriber file_threat") != std::string::npos);
    s.busy = false;  // idle again: healthy
    CHECK(check.evaluate({s}, {}, t0 + 5000ms, 0).empty());

    std::vector<Heartbeat> beats{{"file_threat", "permission_responder", 100000}, {"x", "idle", 0}};
    CHECK(check.evaluate({}, beats, t0, 101000).empty());
    auto stale = check.evaluate({}, beats, t0, 102500);
    REQUIRE(stale.size() == 1);
    CHECK(stale[0] == "file_threat permission_responder made no progress for 2 s");
}

TEST_CASE("a stalled bus subscriber stops the watchdog pings; they resume when it moves again") {
    vigil::testing::TempDir dir;
    FakeNotifySocket sock((dir / "notify").string());
    SystemdNotifier notifier(sock.address(), 300ms);  // a ping every 100 ms while healthy
    Bus bus;
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    uint32_t type = bus.register_type("test.stall");
    uint64_t sub = bus.subscribe(
        type, 16, VIGIL_OVERFLOW_DROP_OLDEST,
        [&](const vigil_message&) {
            std::unique_lock<std::mutex> lk(mu);
            cv.wait(lk, [&] { return release; });
        },
        "stuck_plugin", nullptr);
    Watchdog::Sources src;
    src.subscriptions = [&] { return bus.subscriptions(); };
    Watchdog wd(notifier, src, 400ms);
    wd.start();
    auto before = sock.drain(600ms);
    CHECK(count(before, "WATCHDOG=1") >= 3);
    CHECK(wd.healthy());

    vigil::core::Publisher pub("test");
    char payload = 1;
    vigil_message m{};
    m.struct_size = sizeof m;
    m.type_id = type;
    m.payload = &payload;
    m.payload_size = 1;
    REQUIRE(bus.publish(pub, m) == VIGIL_OK);
    sock.drain(700ms);  // the stall is detected within the limit + one evaluation
    auto during = sock.drain(800ms);
    CHECK(count(during, "WATCHDOG=1") == 0);
    CHECK_FALSE(wd.healthy());
    CHECK(wd.stalls() == 1);
    REQUIRE_FALSE(wd.problems().empty());
    CHECK(wd.problems()[0].find("stuck_plugin") != std::string::npos);

    {
        std::lock_guard<std::mutex> g(mu);
        release = true;
    }
    cv.notify_all();
    auto after = sock.drain(800ms);
    CHECK(count(after, "WATCHDOG=1") >= 2);
    CHECK(wd.healthy());
    wd.stop();
    bus.unsubscribe(sub);
}
