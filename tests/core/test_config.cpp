#include <doctest/doctest.h>

#include "config.hpp"
#include "json_util.hpp"

using namespace vigil::core;

namespace {
ConfigParseResult parse(const std::string& text) { return parse_config_text(text, "/etc/vigil/test.yaml"); }
// Every error of a refused file, one per line.
std::string error_text(const ConfigParseResult& r) {
    std::string all;
    for (const auto& e : r.errors) all += e.str() + "\n";
    return all;
}
// Checks that the file was refused with an error containing each of `wanted`.
void check_refused(const ConfigParseResult& r, std::initializer_list<const char*> wanted) {
    CHECK_FALSE(r.config);
    const std::string all = error_text(r);
    for (const char* w : wanted) CHECK_MESSAGE(all.find(w) != std::string::npos, w);
}
const char* kAgent = "agent:\n  plugin_dir: /opt/p\n  state_dir: /var/lib/v\n  control_socket: /run/v.sock\n";
}  // namespace

TEST_CASE("a valid file yields agent settings and plugin JSON with YAML types") {
    auto r = parse(std::string(kAgent) +
                   "plugins:\n"
                   "  alpha:\n"
                   "    enabled: true\n"
                   "    count: 12\n"
                   "    ratio: 0.5\n"
                   "    name: \"12\"\n"
                   "    flag: false\n"
                   "    list: [a, 2]\n"
                   "    nothing: ~\n"
                   "  beta:\n"
                   "    enabled: no\n");
    REQUIRE(r.errors.empty());
    REQUIRE(r.config);
    CHECK(r.config->agent.plugin_dirs == std::vector<std::string>{"/opt/p"});
    CHECK(r.config->agent.state_dir == "/var/lib/v");
    const PluginConfig* a = r.config->plugin("alpha");
    REQUIRE(a);
    CHECK(a->enabled);
    CHECK(a->settings_json == R"({"count":12,"ratio":0.5,"name":"12","flag":false,"list":["a",2],"nothing":null})");
    CHECK(a->lines.at("/count") == 8);
    CHECK(a->lines.at("/list/1") == 12);
    CHECK_FALSE(r.config->plugin("beta")->enabled);
}

TEST_CASE("malformed YAML names the file and line") {
    auto r = parse("agent:\n  state_dir: [unclosed\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == "/etc/vigil/test.yaml");
    CHECK(r.errors[0].line >= 2);
    CHECK(r.errors[0].str().find("invalid YAML") != std::string::npos);
    CHECK_FALSE(r.config);
}

TEST_CASE("agent section errors name key and line") {
    auto r =
        parse("agent:\n  state_dir: relative/dir\n  log_level: loud\n  colour: blue\n  proxy: ftp://x\n");
    check_refused(r, {"test.yaml:3: agent.log_level: unknown level 'loud'",
                      "test.yaml:4: agent.colour: unknown setting",
                      "agent.proxy: 'ftp://x' is not http://[user:pass@]host:port",
                      "agent.state_dir: must be an absolute path"});
}

TEST_CASE("plugin sections need enabled and a mapping; duplicates refused") {
    auto r =
        parse(std::string(kAgent) +
              "plugins:\n  a: {x: 1}\n  b: [1]\n  c:\n    enabled: maybe\n  Bad-Name: {enabled: true}\n");
    check_refused(
        r, {"plugins.a.enabled: missing", "plugins.b: must be a mapping",
            "test.yaml:9: plugins.c.enabled: must be true or false", "plugins.Bad-Name: plugin names are"});
    auto d = parse(std::string(kAgent) + "plugins:\n  a:\n    enabled: true\n    x: 1\n    x: 2\n");
    CHECK_FALSE(d.config);
    REQUIRE_FALSE(d.errors.empty());
}

TEST_CASE("unknown top-level sections are refused") {
    auto r = parse(std::string(kAgent) + "plugin:\n  a: {enabled: true}\n");
    REQUIRE_FALSE(r.errors.empty());
    CHECK(r.errors[0].str().find("plugin: unknown section") != std::string::npos);
}

TEST_CASE("proxy URLs") {
    CHECK(validate_proxy_url("").empty());
    CHECK(validate_proxy_url("http://127.0.0.1:3128").empty());
    CHECK(validate_proxy_url("http://user:pa%20ss@proxy.example:8080").empty());
    CHECK(validate_proxy_url("http://[::1]:3128").empty());
    CHECK_FALSE(validate_proxy_url("http://host").empty());
    CHECK_FALSE(validate_proxy_url("http://host:99999").empty());
    CHECK_FALSE(validate_proxy_url("https://host:1").empty());
}

TEST_CASE("parse_json refuses a NUL byte (RapidJSON would stop reading there)") {
    std::string error;
    CHECK_FALSE(parse_json(std::string_view("{\"a\":1}\0junk", 12), &error).has_value());
    CHECK(error.find("offset 7: NUL byte") != std::string::npos);
    CHECK(parse_json("{\"a\":1}").has_value());
}
