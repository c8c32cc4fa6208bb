#include <doctest/doctest.h>

#include "json_input.hpp"
#include "settings.hpp"
#include "vigil/testing/host_settings.hpp"

#include <vigil/json_reader.hpp>

using namespace vigil::isolation;

namespace {

Exclusion one(const char* json) {
    auto d = parse_json_object(json, "test");
    return parse_exclusion(d, "exclusions[0]");
}

std::string refusal(const char* json) {
    try {
        one(json);
    } catch (const ValidationError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("isolation: exclusion fields parse into the model") {
    auto e = one(
        R"({"direction":"outbound","protocol":"tcp","remote_address":"192.0.2.0/24","remote_ports":"8000-8080"})");
    CHECK(e.direction == Direction::outbound);
    CHECK(*e.protocol == 6);
    CHECK(e.remote->text() == "192.0.2.0/24");
    CHECK(e.remote_ports->first == 8000);
    CHECK(e.remote_ports->last == 8080);

    e = one(R"({"direction":"inbound","protocol":17,"local_ports":53})");
    CHECK(e.local_ports->text() == "53");
    CHECK(!e.remote);

    e = one(R"({"remote_address":"2001:db8::1"})");
    CHECK(e.direction == Direction::both);
    CHECK(e.remote->is_v6());
    CHECK(e.remote->prefix == 128);
    CHECK(e.remote->text() == "2001:db8::1");

    // Host bits are cleared the way nft would interpret the network.
    CHECK(one(R"({"remote_address":"10.1.2.3/8"})").remote->text() == "10.0.0.0/8");
    CHECK(one(R"({"remote_address":"2001:db8:ffff::1/32"})").remote->text() == "2001:db8::/32");
    CHECK(*one(R"({"cgroup":"/system.slice//sshd.service/"})").cgroup == "system.slice/sshd.service");
}

TEST_CASE("isolation: malformed exclusions are refused with the field and reason") {
    CHECK(refusal(R"({"remote_address":"10.0.0.0/33"})").find("exclusions[0].remote_address") !=
          std::string::npos);
    CHECK(refusal(R"({"remote_address":"10.0.0.0/33"})").find("prefix length 33") != std::string::npos);
    CHECK(refusal(R"({"remote_address":"300.1.1.1"})").find("not a valid IPv4/IPv6") != std::string::npos);
    CHECK(refusal(R"({"remote_address":"10.0.0.0/abc"})").find("invalid prefix") != std::string::npos);
    CHECK(refusal(R"({"remote_address":"fe80::/129"})").find("maximum 128") != std::string::npos);
    CHECK(refusal(R"({"direction":"both","protocol":6,"remote_ports":80})")
              .find("needs direction inbound or outbound") != std::string::npos);
    CHECK(refusal(R"({"protocol":6,"local_ports":80})").find("not both") != std::string::npos);
    CHECK(
        refusal(R"({"direction":"inbound","remote_ports":80})").find("only valid with direction outbound") !=
        std::string::npos);
    CHECK(refusal(R"({"direction":"outbound","local_ports":80})").find("only valid with direction inbound") !=
          std::string::npos);
    CHECK(refusal(R"({"direction":"outbound","remote_ports":70000})").find("out of range 1-65535") !=
          std::string::npos);
    CHECK(refusal(R"({"direction":"outbound","remote_ports":0})").find("out of range") != std::string::npos);
    CHECK(refusal(R"({"direction":"outbound","remote_ports":"90-80"})").find("starts after it ends") !=
          std::string::npos);
    CHECK(refusal(R"({"direction":"outbound","remote_ports":"80-"})").find("not a port") !=
          std::string::npos);
    CHECK(refusal(R"({"direction":"outbound","protocol":1,"remote_ports":80})").find("has no ports") !=
          std::string::npos);
    CHECK(refusal(R"({"protocol":256})").find("0-255") != std::string::npos);
    CHECK(refusal(R"({"protocol":"bogus"})").find("not a protocol") != std::string::npos);
    CHECK(refusal(R"({"direction":"sideways","protocol":6})").find("not inbound, outbound or both") !=
          std::string::npos);
    CHECK(refusal(R"({"remote_adress":"10.0.0.1"})").find("exclusions[0].remote_adress: unknown field") !=
          std::string::npos);
    CHECK(refusal(R"({"direction":"both"})").find("would allow all traffic") != std::string::npos);
    CHECK(refusal(R"({"cgroup":"a/../b"})").find("'..'") != std::string::npos);
    CHECK(refusal(R"({"cgroup":"a\"b"})").find("quote") != std::string::npos);
    CHECK(refusal(R"({"protocol":1,"remote_address":"::1"})").find("over IPv6") != std::string::npos);
    CHECK(refusal(R"({"remote_address":42})").find("must be a string") != std::string::npos);
}

TEST_CASE("isolation: exclusion lists accept arrays, objects and JSON text") {
    auto d = parse_json_object(R"({"a":[{"protocol":6},{"remote_address":"10.0.0.1"}],
                                   "b":{"protocol":17},
                                   "c":"[{\"protocol\":1}]",
                                   "d":["{\"protocol\":1}", "{\"protocol\":6}"],
                                   "e":[{"protocol":6},{"protocol":6,"bad":1}]})",
                               "t");
    CHECK(parse_exclusion_list(d["a"], "a").size() == 2);
    CHECK(parse_exclusion_list(d["b"], "b").size() == 1);
    CHECK(parse_exclusion_list(d["c"], "c").size() == 1);
    CHECK(parse_exclusion_list(d["d"], "d").size() == 2);
    // One bad element refuses the whole list, naming it.
    CHECK_THROWS_WITH_AS(parse_exclusion_list(d["e"], "e"), doctest::Contains("e[1].bad: unknown field"),
                         ValidationError);
}

TEST_CASE("isolation: exclusions round-trip through their JSON form") {
    const char* inputs[] = {
        R"({"direction":"outbound","protocol":6,"remote_address":"192.0.2.0/24","remote_ports":"80-90"})",
        R"({"direction":"inbound","protocol":17,"local_ports":"53","comment":"dns server"})",
        R"({"direction":"both","remote_address":"2001:db8::/48"})",
        R"({"direction":"both","cgroup":"system.slice/x.service"})"};
    for (const char* in : inputs) {
        const Exclusion e = one(in);
        const std::string j = exclusion_to_json(e);
        auto d = parse_json_object(j, "roundtrip");
        const Exclusion back = parse_exclusion(d, "r");
        CHECK(exclusion_to_json(back) == j);
    }
}

TEST_CASE("isolation: central node endpoints") {
    CHECK(parse_endpoint("https://central.example:8443/api", "c").text() == "central.example:8443");
    CHECK(parse_endpoint("https://central.example", "c").port == 443);
    CHECK(parse_endpoint("http://user:pw@proxy.local:3128", "c").text() == "proxy.local:3128");
    CHECK(parse_endpoint("10.0.0.5:443", "c").host == "10.0.0.5");
    CHECK(parse_endpoint("[2001:db8::5]:443", "c").host == "2001:db8::5");
    CHECK(parse_endpoint("[2001:db8::5]:443", "c").text() == "[2001:db8::5]:443");
    CHECK_THROWS_WITH_AS(parse_endpoint("central.example", "central_nodes[0]"),
                         doctest::Contains("central_nodes[0]: 'central.example' needs a port"),
                         ValidationError);
    CHECK_THROWS_AS(parse_endpoint("ftp://x:21", "c"), ValidationError);
    CHECK_THROWS_AS(parse_endpoint("2001:db8::5:443", "c"), ValidationError);
    CHECK_THROWS_AS(parse_endpoint("host:99999", "c"), ValidationError);
    CHECK_THROWS_AS(parse_endpoint("ho\"st:80", "c"), ValidationError);
    CHECK(resolve_addresses(parse_endpoint("127.0.0.1:1", "c")) == std::vector<std::string>{"127.0.0.1"});
    CHECK(resolve_addresses(parse_endpoint("[::1]:1", "c")) == std::vector<std::string>{"::1"});
}

TEST_CASE("isolation: settings defaults and refusals") {
    using vigil::testing::host_settings;
    using vigil::testing::HostSettingsError;
    Settings s = parse_settings(host_settings(kSettingsSchema, "{}"));
    CHECK(s.table == "vigil_isolation");
    CHECK(s.default_timeout_s == 5 * 3600);
    CHECK(s.contact_loss_release_s == 5 * 3600);
    CHECK(s.self_test);
    CHECK(!s.allow_dns);
    CHECK(!s.allow_dhcp);
    s = parse_settings(host_settings(kSettingsSchema, R"({"table":"t1","central_nodes":["https://c:8443"],"allow_dns":true,
                           "exclusions":[{"direction":"inbound","protocol":6,"local_ports":22}],"default_timeout_s":60})"));
    CHECK(s.central_nodes.size() == 1);
    CHECK(s.exclusions.size() == 1);
    CHECK(s.default_timeout_s == 60);
    // Keys, types and bounds are the schema's: the host refuses them, naming the key.
    CHECK_THROWS_WITH_AS(host_settings(kSettingsSchema, R"({"table":"bad name"})"), doctest::Contains("table"),
                         HostSettingsError);
    CHECK_THROWS_WITH_AS(host_settings(kSettingsSchema, R"({"colour":1})"), doctest::Contains("colour: unknown setting"),
                         HostSettingsError);
    CHECK_THROWS_WITH_AS(host_settings(kSettingsSchema, R"({"default_timeout_s":0})"),
                         doctest::Contains("default_timeout_s: 0 is below the minimum 1"), HostSettingsError);
    // What the schema cannot judge is refused by the plugin, naming the field.
    CHECK_THROWS_WITH_AS(parse_settings(host_settings(kSettingsSchema, R"({"central_nodes":["host-without-port"]})")),
                         doctest::Contains("central_nodes"), ValidationError);
    CHECK_THROWS_WITH_AS(
        parse_settings(host_settings(kSettingsSchema, R"({"exclusions":[{"remote_address":"10.0.0.0/33"}]})")),
        doctest::Contains("exclusions[0].remote_address"), ValidationError);
    CHECK(parse_agent_proxy(R"({"proxy":"http://u:p@10.0.0.9:3128"})")->text() == "10.0.0.9:3128");
    CHECK(!parse_agent_proxy(R"({"proxy":""})"));
    CHECK(!parse_agent_proxy(R"({})"));
}

TEST_CASE("isolation: the schema's defaults are the code's defaults") {
    const Settings code;  // the initializers, used when a key is absent
    const Settings schema = parse_settings(vigil::testing::host_settings(kSettingsSchema, "{}"));
    CHECK(schema.table == code.table);
    CHECK(schema.central_nodes.empty());
    CHECK(schema.exclusions.empty());
    CHECK(schema.allow_dhcp == code.allow_dhcp);
    CHECK(schema.allow_dns == code.allow_dns);
    CHECK(schema.default_timeout_s == code.default_timeout_s);
    CHECK(schema.contact_loss_release_s == code.contact_loss_release_s);
    CHECK(schema.self_test == code.self_test);
    CHECK(schema.self_test_timeout_s == code.self_test_timeout_s);
    CHECK(schema.check_interval_ms == code.check_interval_ms);
    CHECK(schema.contact_plugin == code.contact_plugin);
    // And every key the host fills is one the code maps (no key without a default).
    const auto filled = vigil::json::parse(vigil::testing::host_settings(kSettingsSchema, "{}"));
    CHECK(filled.size() == 11);
}
