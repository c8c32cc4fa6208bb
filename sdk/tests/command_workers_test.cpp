// The async command helper: bounded workers, cancel on stop, exactly one reply.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vigil/sdk.hpp>

#include "vigil/testing/fake_host.hpp"

using vigil::testing::FakeHost;

namespace {

std::atomic<bool> g_release{false};

class Slow : public vigil::Plugin {
public:
    explicit Slow(vigil::Host& host) : Plugin(host), workers_(host, 1) {
        workers_.set_on_done([this](const vigil::Command& c, const vigil::JobResult& r) {
            vigil::ActionResult a;
            a.status = r.status;
            a.action = std::string(c.name);
            a.error = r.error;
            a.correlation_id = c.correlation_id;
            a.publish(this->host());
        });
        workers_.on("test.wait", [](const vigil::Command& c) -> vigil::CommandWorkers::Work {
            if (c.args_json.find("bad") != std::string_view::npos) throw std::invalid_argument("bad is not allowed");
            return [](vigil::Job& job) {
                while (!g_release.load() && !job.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
                if (job.cancelled()) return vigil::JobResult::failed("cancelled");
                return vigil::JobResult::ok("{\"done\":true}");
            };
        });
        workers_.on("test.throw", [](const vigil::Command&) -> vigil::CommandWorkers::Work {
            return [](vigil::Job&) -> vigil::JobResult { throw std::runtime_error("worker blew up"); };
        });
    }
    void start() override { workers_.start(); }
    void stop() override { workers_.stop(); }

private:
    vigil::CommandWorkers workers_;
};

}  // namespace

TEST_CASE("command workers: parse errors, busy refusal, result, and one action result each") {
    g_release = false;
    FakeHost host;
    REQUIRE(host.load_api(vigil::detail::Adapter<Slow>::table()) == VIGIL_OK);
    REQUIRE(host.start() == VIGIL_OK);

    auto bad = host.command("test.wait", R"({"bad":1})");
    CHECK(bad.status == VIGIL_EINVAL);
    CHECK(bad.error == "invalid arguments for test.wait: bad is not allowed");

    // The first job holds the only worker; command() gives up waiting quickly.
    auto first = host.command("test.wait", "{}", "test", std::chrono::milliseconds(20));
    CHECK_FALSE(first.answered);
    auto busy = host.command("test.wait", "{}");
    CHECK(busy.status == VIGIL_EFAILED);
    CHECK(busy.error == "busy: 1 commands are running (at most 1)");

    g_release = true;
    for (int i = 0; i < 500 && host.published(VIGIL_TYPE_ACTION_RESULT).size() < 3; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto results = host.published(VIGIL_TYPE_ACTION_RESULT);
    REQUIRE(results.size() == 3);  // bad, busy, and the finished job: one each
    CHECK(results[2].as<vigil_action_result>()->status == VIGIL_OK);
    CHECK(host.late_replies() == 0);
    REQUIRE(host.stop() == VIGIL_OK);
}

TEST_CASE("command workers: stop cancels running jobs, which still reply; later commands are refused") {
    g_release = false;
    FakeHost host;
    REQUIRE(host.load_api(vigil::detail::Adapter<Slow>::table()) == VIGIL_OK);
    REQUIRE(host.start() == VIGIL_OK);
    auto running = host.command("test.wait", "{}", "test", std::chrono::milliseconds(20));
    CHECK_FALSE(running.answered);
    REQUIRE(host.stop() == VIGIL_OK);  // joins the worker
    auto results = host.published(VIGIL_TYPE_ACTION_RESULT);
    REQUIRE(results.size() == 1);
    auto v = results[0].as<vigil_action_result>();
    CHECK(v.str(v->error) == "cancelled");
    auto after = host.command("test.wait", "{}");
    CHECK(after.status == VIGIL_ESTATE);
    CHECK(after.error == "the plugin is stopping");
}

TEST_CASE("command workers: a job that throws is answered EINTERNAL, logged and counted") {
    FakeHost host;
    REQUIRE(host.load_api(vigil::detail::Adapter<Slow>::table()) == VIGIL_OK);
    REQUIRE(host.start() == VIGIL_OK);
    auto r = host.command("test.throw");
    CHECK(r.status == VIGIL_EINTERNAL);
    CHECK(r.error == "internal error: worker blew up");
    CHECK(host.logged("job of test.throw threw: worker blew up"));
    CHECK(host.counter("callback_exceptions") == 1);
}
