// Loading, ABI negotiation, schema validation and dependencies, with the
// real test plugins built into build/test-plugins.
#include <doctest/doctest.h>

#include "config.hpp"
#include "plugin_loader.hpp"
#include "plugin_manager.hpp"

using namespace vigil::core;

namespace {
const std::string kDir = std::string(VIGIL_BINARY_DIR) + "/test-plugins";
const std::string kHostAbi = "ABI 1." + std::to_string(VIGIL_ABI_MINOR);

PluginPlan plan(const std::string& plugins_yaml, Config* out = nullptr) {
    std::string text = "agent:\n  plugin_dir: " + kDir +
                       "\n  state_dir: /tmp/x\n  control_socket: /tmp/x.sock\nplugins:\n" + plugins_yaml;
    auto r = parse_config_text(text, "cfg.yaml");
    REQUIRE(r.config);
    if (out) *out = *r.config;
    return plan_plugins(*r.config);
}
std::string joined(const std::vector<ConfigError>& errs) {
    std::string s;
    for (auto& e : errs) s += e.str() + "\n";
    return s;
}
}  // namespace

TEST_CASE("ABI: a plugin built with the 1.0 headers loads in the current host") {
    LoadResult r = load_plugin(kDir + "/abi_v1_0.so", "abi_v1_0");
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(r.plugin.info_size < sizeof(vigil_plugin_info));  // smaller struct
    CHECK(r.plugin.info.abi_built_minor == 0);
    CHECK(r.plugin.license.empty());  // field it does not have reads as zero
}

TEST_CASE("ABI: wrong major is refused naming both versions") {
    LoadResult r = load_plugin(kDir + "/abi_wrong_major.so", "abi_wrong_major");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("built for ABI 2.x") != std::string::npos);
    CHECK(r.error.find("host provides " + kHostAbi) != std::string::npos);
}

TEST_CASE("ABI: a plugin that needs a newer minor is refused") {
    LoadResult r = load_plugin(kDir + "/abi_newer_minor.so", "abi_newer_minor");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("needs ABI 1." + std::to_string(VIGIL_ABI_MINOR + 5) + " or newer, host provides " + kHostAbi) !=
          std::string::npos);
}

TEST_CASE("ABI: a library without the entry symbol is refused") {
    LoadResult r = load_plugin(kDir + "/abi_no_entry.so", "abi_no_entry");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("no entry symbol 'vigil_plugin_entry'") != std::string::npos);
}

TEST_CASE("ABI: the configured name must match the plugin's own") {
    LoadResult r = load_plugin(kDir + "/test_source.so", "something_else");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("calls itself 'test_source'") != std::string::npos);
}

TEST_CASE("plan: unknown plugin is a configuration error with line and key") {
    auto p = plan("  test_source: {enabled: true}\n  no_such_plugin:\n    enabled: true\n");
    REQUIRE(p.errors.size() == 1);
    CHECK(p.errors[0].str().find("cfg.yaml:7: plugins.no_such_plugin: unknown plugin") != std::string::npos);
}

TEST_CASE("plan: schema violations name the YAML line of the offending key") {
    auto p = plan("  test_behaviors:\n    enabled: true\n    stop_delay_ms: fast\n");
    REQUIRE(p.errors.size() == 1);
    CHECK(joined(p.errors).find("cfg.yaml:8: plugins.test_behaviors.stop_delay_ms: expected \"integer\", got string") !=
          std::string::npos);
    auto q = plan("  test_behaviors:\n    enabled: true\n    colour: red\n");
    CHECK(joined(q.errors).find("cfg.yaml:8: plugins.test_behaviors.colour: unknown setting (known: ") !=
          std::string::npos);
    auto e = plan("  test_behaviors:\n    enabled: true\n    mode: destroy\n");
    CHECK(joined(e.errors).find("\"destroy\" is not one of [\"notify\",\"block\"]") != std::string::npos);
    auto m = plan("  test_behaviors:\n    enabled: true\n    stop_delay_ms: -5\n");
    CHECK(joined(m.errors).find("below the minimum 0") != std::string::npos);
}

TEST_CASE("plan: a dependency that is disabled or missing is an error naming it") {
    auto p = plan("  test_behaviors: {enabled: false}\n  needs_parent: {enabled: true}\n");
    CHECK(joined(p.errors).find("plugins.needs_parent: requires plugin 'test_behaviors', which is disabled") !=
          std::string::npos);
    auto q = plan("  needs_parent: {enabled: true}\n");
    CHECK(joined(q.errors).find("requires plugin 'test_behaviors', which is not configured") != std::string::npos);
}

TEST_CASE("plan: dependencies start first; load failures are not config errors") {
    auto p = plan("  needs_parent: {enabled: true}\n  abi_wrong_major: {enabled: true}\n  test_behaviors: {enabled: true}\n");
    CHECK(p.errors.empty());
    REQUIRE(p.order.size() == 3);
    auto pos = [&](const std::string& n) { return std::find(p.order.begin(), p.order.end(), n) - p.order.begin(); };
    CHECK(pos("test_behaviors") < pos("needs_parent"));
    CHECK(p.load_failed.count("abi_wrong_major") == 1);
}
