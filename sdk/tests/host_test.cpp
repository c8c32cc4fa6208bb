// The C++ SDK's boundary behaviour, driven through the fake host: exceptions
// are reported and counted, callback state is freed, commands are answered
// exactly once.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vigil/sdk.hpp>

#include "vigil/testing/fake_host.hpp"

using vigil::testing::FakeHost;

namespace {

class Thrower : public vigil::Plugin {
public:
    explicit Thrower(vigil::Host& host) : Plugin(host) {
        if (host.config_json().find("fail_create") != std::string::npos) throw std::runtime_error("bad settings");
        host.on_command("test.boom", [](const vigil::Command&, vigil::Reply) { throw std::runtime_error("kaboom"); });
        host.on_command("test.ok", [](const vigil::Command& c, vigil::Reply r) {
            r.ok("{\"args\":" + std::string(c.args_json) + "}");
            r.ok("{\"second\":true}");  // ignored: exactly one reply
        });
        host.subscribe(VIGIL_TYPE_FILE, [](const vigil::Message&) { throw std::logic_error("bad event"); });
    }
    void start() override {
        host().timer(1000, true, [] { throw std::runtime_error("tick"); });
        host().post([] { throw 42; });
    }
};

}  // namespace

TEST_CASE("sdk host: exceptions at every boundary are logged and counted, never swallowed") {
    FakeHost host("{}");
    REQUIRE(host.load_api(vigil::detail::Adapter<Thrower>::table()) == VIGIL_OK);
    REQUIRE(host.start() == VIGIL_OK);
    host.run_posted();
    CHECK(host.logged("posted task threw"));
    host.advance(std::chrono::milliseconds(1000));
    CHECK(host.logged("timer callback threw: tick"));
    vigil::PayloadBuilder<vigil_file_event> ev;
    host.deliver(VIGIL_TYPE_FILE, ev);
    CHECK(host.logged("message callback threw: bad event"));
    auto r = host.command("test.boom");
    CHECK(r.answered);
    CHECK(r.status == VIGIL_EINTERNAL);
    CHECK(r.error == "kaboom");
    CHECK(host.logged("handler of test.boom threw: kaboom"));
    CHECK(host.counter("callback_exceptions") == 4);
    auto ok = host.command("test.ok", R"({"x":1})");
    CHECK(ok.status == VIGIL_OK);
    CHECK(ok.result_json == R"({"args":{"x":1}})");
    CHECK(host.late_replies() == 0);  // the second ok() never reached the host
}

TEST_CASE("sdk host: a constructor that throws fails create with the message") {
    FakeHost host(R"({"fail_create":true})");
    CHECK(host.load_api(vigil::detail::Adapter<Thrower>::table()) == VIGIL_EFAILED);
    CHECK(host.last_error() == "bad settings");
}

namespace {

class Churn : public vigil::Plugin {
public:
    explicit Churn(vigil::Host& host) : Plugin(host) {}
    std::atomic<int> seen{0}, ticks{0}, once{0};
    uint64_t self_sub = 0, self_timer = 0;
};

}  // namespace

TEST_CASE("sdk host: subscriptions and timers can be cancelled from anywhere, even inside themselves") {
    FakeHost host;
    REQUIRE(host.load_api(vigil::detail::Adapter<Churn>::table()) == VIGIL_OK);
    // The instance is only reachable through the adapter's state; use a
    // standalone Host over the same fake API for direct calls.
    vigil::Host h(host.api(), host.handle());
    int seen = 0;
    uint64_t self = 0;
    self = h.subscribe(VIGIL_TYPE_FILE, [&](const vigil::Message&) {
        ++seen;
        h.unsubscribe(self);  // from inside its own callback
    });
    for (int i = 0; i < 100; ++i) h.unsubscribe(h.subscribe(VIGIL_TYPE_NETWORK, [](const vigil::Message&) {}));
    vigil::PayloadBuilder<vigil_file_event> ev;
    host.deliver(VIGIL_TYPE_FILE, ev);
    host.deliver(VIGIL_TYPE_FILE, ev);
    CHECK(seen == 1);
    CHECK(host.subscriptions() == 0);

    int ticks = 0, once = 0;
    uint64_t timer = 0;
    timer = h.timer(10, true, [&] {
        if (++ticks == 3) h.cancel_timer(timer);
    });
    h.timer(5, false, [&] { ++once; });
    host.advance(std::chrono::milliseconds(100));
    CHECK(ticks == 3);
    CHECK(once == 1);
    CHECK(host.timers() == 0);
    const uint64_t never = h.timer(1000, false, [&] { ++once; });
    h.cancel_timer(never);
    host.advance(std::chrono::milliseconds(2000));
    CHECK(once == 1);
}

TEST_CASE("sdk host: send_command_wait from a worker thread, refused on the executor") {
    FakeHost host;
    REQUIRE(host.load_api(vigil::detail::Adapter<Churn>::table()) == VIGIL_OK);
    host.respond_to("response.terminate_process", [](const FakeHost::Sent& s) {
        return FakeHost::Answer{true, VIGIL_OK, "{\"echo\":" + s.args_json + "}", ""};
    });
    vigil::Host h(host.api(), host.handle());
    vigil::OwnedCommandResult result;
    std::thread worker([&] { result = h.send_command_wait("response.terminate_process", R"({"pid":7})", 1000); });
    while (host.sent().empty()) std::this_thread::yield();
    while (host.run_posted() == 0) std::this_thread::yield();
    worker.join();
    CHECK(result.ok());
    CHECK(result.result_json == R"({"echo":{"pid":7}})");
    CHECK(host.sent()[0].origin == "test");

    std::atomic<bool> cancel{true};
    auto cancelled = h.send_command_wait("response.terminate_process", "{}", 1000, &cancel);
    CHECK(cancelled.status == VIGIL_ETIMEDOUT);
    CHECK(cancelled.error == "cancelled");
    host.run_posted();  // the late reply finds its state still alive

    bool threw = false;
    h.post([&] {
        try {
            h.send_command_wait("response.terminate_process", "{}", 1000);
        } catch (const std::logic_error&) {
            threw = true;
        }
    });
    host.run_posted();
    CHECK(threw);
}

TEST_CASE("sdk status reporter: now, periodically, and only when changed") {
    FakeHost host;
    vigil::Host h(host.api(), host.handle());
    int n = 0;
    vigil::StatusReporter status(h, [&] { return "{\"n\":" + std::to_string(n / 2) + "}"; });
    status.start(1000);
    CHECK(host.status() == "{\"n\":0}");
    ++n;
    host.advance(std::chrono::milliseconds(1000));
    CHECK(host.status_updates() == 1);  // unchanged text is not sent again
    ++n;
    status.publish();
    CHECK(host.status() == "{\"n\":1}");
    CHECK(host.status_updates() == 2);
    status.stop();
    CHECK(host.timers() == 0);
    // cancel_timer frees the timer's state from a task posted on the executor.
    CHECK(host.run_posted() == 1);
}

TEST_CASE("sdk records: action result and threat payloads carry every field") {
    FakeHost host;
    vigil::Host h(host.api(), host.handle());
    vigil::ActionResult a;
    a.status = VIGIL_EFAILED;
    a.threat_id = 7;
    a.correlation_id = 9;
    a.action = "quarantine";
    a.object = "/tmp/x";
    a.details_json = "{}";
    a.error = "denied";
    a.origin = "task:1";
    CHECK(a.publish(h) == VIGIL_OK);
    vigil::Threat t;
    t.severity = VIGIL_SEV_HIGH;
    t.threat_id = 7;
    t.detector = "hash";
    t.rule_id = "r1";
    t.object_type = "file";
    t.object = "/tmp/x";
    t.process = vigil::ProcessInfo{};
    t.process->pid = 42;
    t.process->exe = "/bin/sh";
    CHECK(t.publish(h) == VIGIL_OK);
    auto ar = host.published(VIGIL_TYPE_ACTION_RESULT);
    REQUIRE(ar.size() == 1);
    auto av = ar[0].as<vigil_action_result>();
    CHECK(av->status == VIGIL_EFAILED);
    CHECK(av->threat_id == 7);
    CHECK(av->correlation_id == 9);
    CHECK(ar[0].correlation_id == 9);
    CHECK(av.str(av->action) == "quarantine");
    CHECK(av.str(av->error) == "denied");
    CHECK(av.str(av->origin) == "task:1");
    auto th = host.published(VIGIL_TYPE_THREAT);
    REQUIRE(th.size() == 1);
    auto tv = th[0].as<vigil_threat_event>();
    CHECK(tv->severity == VIGIL_SEV_HIGH);
    CHECK(tv.str(tv->detector) == "hash");
    CHECK(tv->process.pid == 42);
    CHECK(tv.str(tv->process.exe) == "/bin/sh");
}
