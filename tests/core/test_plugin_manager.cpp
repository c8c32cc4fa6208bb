// Running plugins through the real PluginManager: failures stay contained,
// dependencies are refused with a reason, reconfiguration applies.
#include <doctest/doctest.h>

#include <future>

#include <vigil/sdk.hpp>

#include "json_util.hpp"
#include "plugin_manager.hpp"

using namespace vigil::core;

namespace {
const std::string kDir = std::string(VIGIL_BINARY_DIR) + "/test-plugins";

struct Host {
    Bus bus;
    QuarantineStore quarantine{"/tmp/vigil-unit-q"};
    HostContext ctx;
    std::unique_ptr<PluginManager> mgr;
    Host() {
        ctx.bus = &bus;
        ctx.quarantine = &quarantine;
        ctx.agent_id = "00000000-0000-4000-8000-000000000000";
        ctx.state_dir = "/tmp/vigil-unit-state";
        mgr = std::make_unique<PluginManager>(ctx);
        bus.set_unavailable_fn([this](const std::string& p) { return mgr->unavailable_reason(p); });
    }
    ~Host() { mgr->stop_all(); }
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;
    Config config(const std::string& plugins_yaml) {
        auto r = parse_config_text("agent:\n  plugin_dir: " + kDir +
                                       "\n  state_dir: /tmp/vigil-unit-state\n  control_socket: /tmp/x.sock\nplugins:\n" +
                                       plugins_yaml,
                                   "cfg.yaml");
        REQUIRE(r.config);
        return *r.config;
    }
    void apply(const std::string& yaml) {
        Config c = config(yaml);
        PluginPlan p = plan_plugins(c);
        REQUIRE(p.errors.empty());
        mgr->apply(c, p);
    }
    // Sends a command like vigilctl does; returns {status, result/error}.
    std::pair<vigil_status, std::string> call(const std::string& name, const std::string& args = "{}") {
        Publisher pub("test");
        auto pr = std::make_shared<std::promise<std::pair<vigil_status, std::string>>>();
        auto f = pr->get_future();
        bus.send_command(pub, name, args, 2000, "test", [pr](const MessageRef& r) {
            auto v = vigil::view<vigil_command_result>(r->payload, r->payload_size);
            pr->set_value({v->status, std::string(v->status == VIGIL_OK ? v.str(v->result_json) : v.str(v->error))});
        });
        return f.get();
    }
};
}  // namespace

TEST_CASE("a plugin that throws in create fails alone; its dependent is refused naming it") {
    Host h;
    h.apply("  test_source: {enabled: true}\n  test_behaviors: {enabled: true, throw_create: true}\n"
            "  needs_parent: {enabled: true}\n");
    CHECK(h.mgr->state_of("test_source") == "running");
    CHECK(h.mgr->state_of("test_behaviors") == "failed");
    CHECK(h.mgr->state_of("needs_parent") == "failed");
    std::string js = h.mgr->plugins_json();
    CHECK(js.find("asked to throw in create") != std::string::npos);
    CHECK(js.find("requires plugin 'test_behaviors', which is failed") != std::string::npos);
    auto r = h.call("test_source.emit", R"({"type":"file","count":3})");
    CHECK(r.first == VIGIL_OK);
    auto d = h.call("test_behaviors.echo");
    CHECK(d.first == VIGIL_EDISABLED);
    CHECK(d.second.find("plugin test_behaviors is failed") != std::string::npos);
}

TEST_CASE("a plugin failing in start is stopped and reported; others run") {
    Host h;
    h.apply("  test_source: {enabled: true}\n  test_behaviors: {enabled: true, fail_start: true}\n");
    CHECK(h.mgr->state_of("test_behaviors") == "failed");
    CHECK(h.mgr->plugins_json().find("asked to fail in start") != std::string::npos);
    CHECK(h.call("test_source.emit", "{}").first == VIGIL_OK);
}

TEST_CASE("apply: enabling, disabling and reconfiguring plugins (what SIGHUP does)") {
    Host h;
    h.apply("  test_source: {enabled: true}\n  test_behaviors: {enabled: false}\n");
    auto off = h.call("test_behaviors.echo");
    CHECK(off.first == VIGIL_EDISABLED);
    CHECK(off.second == "no handler for command 'test_behaviors.echo': plugin test_behaviors is disabled");

    h.apply("  test_source: {enabled: true}\n  test_behaviors: {enabled: true}\n");
    CHECK(h.mgr->state_of("test_behaviors") == "running");
    CHECK(h.call("test_behaviors.echo", R"({"x":1})").second == R"({"x":1})");

    h.apply("  test_source: {enabled: true}\n  test_behaviors: {enabled: true, stop_delay_ms: 1}\n");
    CHECK(h.mgr->state_of("test_behaviors") == "running");
    CHECK(h.mgr->plugins_json().find("\"stop_delay_ms\":1") != std::string::npos);  // applied in place

    h.apply("  test_source: {enabled: false}\n  test_behaviors: {enabled: true}\n");
    CHECK(h.mgr->state_of("test_source") == "disabled");
    CHECK(h.call("test_source.emit").first == VIGIL_EDISABLED);
}

TEST_CASE("commands: timeout reply, exactly one reply, async replies from other threads") {
    Host h;
    h.apply("  test_behaviors: {enabled: true}\n");
    auto t = h.call("test_behaviors.noreply");
    CHECK(t.first == VIGIL_ETIMEDOUT);
    CHECK(t.second.find("timeout: no reply to 'test_behaviors.noreply'") != std::string::npos);
    CHECK(h.call("test_behaviors.twice").first == VIGIL_OK);
    auto second = h.call("test_behaviors.second_reply_status");
    CHECK(second.second == "{\"status\":" + std::to_string(VIGIL_ESTATE) + "}");
    CHECK(h.call("test_behaviors.async", R"({"ms":20})").second == R"({"async":true})");
    auto unknown = h.call("test_behaviors.nope");
    CHECK(unknown.first == VIGIL_ENOTFOUND);
}
