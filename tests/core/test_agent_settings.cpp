// vigild's agent_settings service (ABI 1.3): what a plugin gets for the agent
// section, with and without a proxy, and that every pointer stays valid for the
// plugin's lifetime (the contract in host_api.h), not just during the call.
// Without a proxy the proxy strings once pointed into a local destroyed on
// return: a plugin read stack garbage as its proxy host.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "bus.hpp"
#include "config.hpp"
#include "plugin_instance.hpp"
#include "plugin_loader.hpp"
#include "quarantine_store.hpp"

#if defined(__SANITIZE_ADDRESS__)
// A read through a pointer into a returned frame is reported as
// stack-use-after-return only with the fake stack.
extern "C" const char* __asan_default_options() { return "detect_stack_use_after_return=1"; }
#endif

using namespace vigil::core;

namespace {
const std::string kPluginDir = std::string(VIGIL_BINARY_DIR) + "/test-plugins";

// Overwrites the stack below the caller's frame, where the service's frame was:
// a pointer into that dead frame then reads these bytes, not a lucky "".
__attribute__((noinline)) void scribble_stack() {
    volatile char junk[16384];
    for (size_t i = 0; i < sizeof junk; ++i) junk[i] = 'Z';
}

// The agent section as vigild builds it: parsed and validated by the config
// loader, handed to the instance as JSON.
std::string agent_json(const std::string& proxy_line) {
    auto r = parse_config_text("agent:\n  plugin_dir: [" + kPluginDir + ", /opt/vigil/plugins]\n"
                                   "  state_dir: /tmp/vigil-unit-state\n  control_socket: /tmp/vigil-unit.sock\n"
                                   "  log_level: debug\n" +
                                   proxy_line + "plugins: {}\n",
                               "cfg.yaml");
    REQUIRE(r.config);
    return r.config->agent.json;
}

struct Instance {
    Bus bus;
    QuarantineStore quarantine{"/tmp/vigil-unit-q"};
    HostContext ctx;
    std::unique_ptr<PluginInstance> p;
    explicit Instance(const std::string& agent) {
        ctx.bus = &bus;
        ctx.quarantine = &quarantine;
        ctx.state_dir = "/tmp/vigil-unit-state";
        auto lr = load_plugin(find_plugin_file({kPluginDir}, "test_behaviors"), "test_behaviors");
        REQUIRE_MESSAGE(lr.ok, lr.error);
        p = std::make_unique<PluginInstance>(std::move(lr.plugin), ctx, "{}", agent);
    }
    vigil_agent_settings settings() {
        vigil_agent_settings s{};
        s.struct_size = sizeof s;
        REQUIRE(PluginInstance::host_api()->agent_settings(p->handle(), &s) == VIGIL_OK);
        scribble_stack();
        return s;
    }
};

std::string text(const char* p) {
    REQUIRE(p != nullptr);  // never NULL: "" when unset
    return p;
}

std::vector<std::string> dirs(const vigil_agent_settings& s) {
    REQUIRE(s.plugin_dirs != nullptr);
    std::vector<std::string> out;
    for (uint32_t i = 0; i < s.plugin_dir_count; ++i) out.push_back(text(s.plugin_dirs[i]));
    return out;
}

void check_common(const vigil_agent_settings& s) {
    CHECK(s.struct_size == sizeof s);
    CHECK(text(s.state_dir) == "/tmp/vigil-unit-state");
    CHECK(text(s.control_socket) == "/tmp/vigil-unit.sock");
    CHECK(text(s.log_level) == "debug");
    CHECK(dirs(s) == std::vector<std::string>{kPluginDir, "/opt/vigil/plugins"});
}

void check_no_proxy(const vigil_agent_settings& s) {
    check_common(s);
    CHECK(text(s.proxy_url).size() == 0);
    CHECK(text(s.proxy_host).size() == 0);
    CHECK(text(s.proxy_username).size() == 0);
    CHECK(text(s.proxy_password).size() == 0);
    CHECK(s.proxy_port == 0);
}

void check_proxy(const vigil_agent_settings& s) {
    check_common(s);
    CHECK(text(s.proxy_url) == "http://scan%20user:p%40ss@proxy.example:3128");
    CHECK(text(s.proxy_host) == "proxy.example");
    CHECK(text(s.proxy_username) == "scan user");
    CHECK(text(s.proxy_password) == "p@ss");
    CHECK(s.proxy_port == 3128);
}

// Reads the settings once, then runs the plugin through its whole life and
// other host calls; the first answer's pointers must still read the same.
template <typename Check>
void check_for_lifetime(const std::string& agent, Check check) {
    Instance in(agent);
    const vigil_agent_settings first = in.settings();
    check(first);
    REQUIRE(in.p->create());
    REQUIRE(in.p->start());
    check(first);
    check(in.settings());
    in.p->stop();
    check(first);
    in.p->destroy();
}
}  // namespace

TEST_CASE("agent_settings without a proxy: empty proxy strings that outlive the call") {
    check_for_lifetime(agent_json(""), check_no_proxy);
}

TEST_CASE("agent_settings with a proxy: the parsed proxy, valid for the plugin's lifetime") {
    check_for_lifetime(agent_json("  proxy: \"http://scan%20user:p%40ss@proxy.example:3128\"\n"), check_proxy);
}

TEST_CASE("agent_settings: a shorter (older) struct gets only its own fields") {
    Instance in(agent_json(""));
    vigil_agent_settings s{};
    std::memset(&s, 0x7f, sizeof s);
    s.struct_size = offsetof(vigil_agent_settings, control_socket);
    REQUIRE(PluginInstance::host_api()->agent_settings(in.p->handle(), &s) == VIGIL_OK);
    CHECK(s.struct_size == offsetof(vigil_agent_settings, control_socket));
    CHECK(text(s.state_dir) == "/tmp/vigil-unit-state");
    unsigned char untouched[sizeof(const char*)];
    std::memset(untouched, 0x7f, sizeof untouched);
    CHECK(std::memcmp(&s.control_socket, untouched, sizeof untouched) == 0);
    s.struct_size = 2;
    CHECK(PluginInstance::host_api()->agent_settings(in.p->handle(), &s) == VIGIL_EINVAL);
    CHECK(PluginInstance::host_api()->agent_settings(in.p->handle(), nullptr) == VIGIL_EINVAL);
}
