// vigil-central's notify protocol against a fake NOTIFY_SOCKET: READY=1, watchdog pings
// only while the probe answers, STOPPING=1.
#include "service_notify.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <future>

#include <vigil/testing/notify_socket.hpp>

#include "test_support.hpp"

using namespace vigil::central;
using namespace std::chrono_literals;
using vigil::common::SystemdNotifier;
using vigil::testing::FakeNotifySocket;

namespace {
size_t count(const std::vector<std::string>& v, const std::string& s) {
    return size_t(std::count(v.begin(), v.end(), s));
}

// Collects datagrams until `n` pings arrived or 10 s passed (the machine may be busy).
size_t wait_for_pings(FakeNotifySocket& sock, size_t n) {
    size_t got = 0;
    for (int i = 0; i < 100 && got < n; ++i) got += count(sock.drain(100ms), "WATCHDOG=1");
    return got;
}

template <typename F>
void wait_until(F done) {
    for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(10ms);
    REQUIRE(done());
}
}  // namespace

TEST_CASE("READY, pings while the probe answers, none while it fails or hangs, STOPPING") {
    central_test::TempDir dir;
    FakeNotifySocket sock(dir.path + "/notify");
    std::atomic<int> mode{0};  // 0 healthy, 1 failing, 2 hanging
    std::atomic<int> failed{0}, hanging{0};
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    ServiceNotify service(SystemdNotifier(sock.address(), 300ms));  // a ping every 100 ms
    service.ready("listening on port 8443", [&] {
        if (mode == 2) {
            ++hanging;
            released.wait();
            return true;
        }
        if (mode == 1) {
            ++failed;
            return false;
        }
        return true;
    });
    auto first = sock.drain(100ms);
    REQUIRE_FALSE(first.empty());
    CHECK(first.front() == "READY=1\nSTATUS=listening on port 8443");
    CHECK(wait_for_pings(sock, 3) >= 3);

    // Once a failing probe has returned, every earlier ping is in the socket already.
    mode = 1;
    wait_until([&] { return failed >= 1; });
    sock.drain(20ms);
    CHECK(count(sock.drain(500ms), "WATCHDOG=1") == 0);
    mode = 2;
    wait_until([&] { return hanging >= 1; });
    sock.drain(20ms);
    CHECK(count(sock.drain(500ms), "WATCHDOG=1") == 0);
    mode = 0;
    release.set_value();
    CHECK(wait_for_pings(sock, 2) >= 2);

    service.stopping();
    auto last = sock.drain(100ms);
    CHECK(count(last, "STOPPING=1") == 1);
    const uint64_t pings = service.pings();
    CHECK(count(sock.drain(400ms), "WATCHDOG=1") == 0);  // the thread has ended
    CHECK(service.pings() == pings);
}

TEST_CASE("without NOTIFY_SOCKET nothing is sent and no thread runs") {
    int probes = 0;
    ServiceNotify service(SystemdNotifier{});
    service.ready("x", [&] { return ++probes > 0; });
    std::this_thread::sleep_for(50ms);
    CHECK(probes == 0);
    service.stopping();
    CHECK(service.pings() == 0);
}
