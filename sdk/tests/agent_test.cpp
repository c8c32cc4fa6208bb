// Typed agent settings (ABI 1.3 and the fallback) and the connector contract.
#include <doctest/doctest.h>

#include <string>
#include <vigil/agent.hpp>

#include "vigil/testing/fake_host.hpp"

using vigil::testing::FakeHost;

TEST_CASE("agent: proxy URLs are parsed once, for every plugin") {
    auto p = vigil::parse_proxy_url("http://us%40er:p%3Ass@proxy.lan:3128/");
    REQUIRE(p);
    CHECK(p->host == "proxy.lan");
    CHECK(p->port == 3128);
    CHECK(p->username == "us@er");
    CHECK(p->password == "p:ss");
    auto v6 = vigil::parse_proxy_url("http://[fd00::1]:8080");
    REQUIRE(v6);
    CHECK(v6->host == "fd00::1");
    std::string error;
    CHECK_FALSE(vigil::parse_proxy_url("", &error));
    CHECK(error.empty());  // empty = no proxy, not an error
    for (const char* bad : {"https://h:1", "http://h", "http://h:0", "http://h:65536", "http://h:12a", "http://:80",
                            "http://bad host:80", "http://u:%zz@h:80", "http://[zz]:80"}) {
        error.clear();
        CHECK_MESSAGE(!vigil::parse_proxy_url(bad, &error), bad);
        CHECK_MESSAGE(!error.empty(), bad);
    }
}

TEST_CASE("agent: settings from the 1.3 service and, on an older host, from the agent JSON") {
    const std::string agent = R"({"plugin_dir":["/a","/b"],"state_dir":"/var/lib/vigil",)"
                              R"("control_socket":"/run/v.sock","proxy":"http://p:3128","log_level":"debug"})";
    for (uint32_t minor : {3u, 2u}) {
        FakeHost host;
        host.set_agent_config(agent);
        host.set_abi_minor(minor);
        vigil::Host h(host.api(), host.handle());
        auto a = vigil::agent_settings(h);
        CHECK(host.agent_settings_calls() == (minor >= 3 ? 1u : 0u));
        CHECK(a.state_dir == "/var/lib/vigil");
        CHECK(a.control_socket == "/run/v.sock");
        CHECK(a.plugin_dirs == std::vector<std::string>{"/a", "/b"});
        CHECK(a.log_level == "debug");
        REQUIRE(a.proxy);
        CHECK(a.proxy->host == "p");
        CHECK(a.proxy->port == 3128);
    }
    FakeHost direct;
    direct.set_agent_config(R"({"proxy":""})");
    vigil::Host h(direct.api(), direct.handle());
    CHECK_FALSE(vigil::agent_settings(h).proxy);
}

TEST_CASE("agent: the connector-contact contract") {
    const std::string status = R"({"plugins":[
        {"name":"kataedr","status":{"connector":{"last_contact_ns":1700000000000000000,"last_failure_ns":1600000000000000000,
                                                 "last_failure":"tls: handshake","central":"https://c:8443",
                                                 "servers":["https://c:8443","https://d:8443"]}}},
        {"name":"other","status":{"connector":{"last_contact_ns":1800000000000000000}}},
        {"name":"isolation","status":{"last_contact":"2020-01-01T00:00:00Z"}},
        {"name":"never","status":{"connector":{"last_contact_ns":0}}}]})";
    CHECK(vigil::last_central_contact_ns(status) == 1800000000000000000);
    CHECK(vigil::last_central_contact_ns(status, "kataedr") == 1700000000000000000);
    CHECK(vigil::last_central_contact_ns(status, "never") == 0);
    CHECK_FALSE(vigil::last_central_contact_ns(status, "isolation"));  // other spellings are not the contract
    CHECK_FALSE(vigil::last_central_contact_ns(R"({"plugins":[]})"));
    CHECK_FALSE(vigil::last_central_contact_ns("not json"));
    auto k = vigil::connector_status(status, "kataedr");
    REQUIRE(k.size() == 1);
    CHECK(k[0].central == "https://c:8443");
    CHECK(k[0].last_failure_ns == 1600000000000000000);
    CHECK(k[0].last_failure == "tls: handshake");
    CHECK(vigil::connector_status(status, "other")[0].last_failure_ns == 0);
    CHECK(k[0].servers == std::vector<std::string>{"https://c:8443", "https://d:8443"});
    CHECK(vigil::connector_status(status).size() == 3);
    FakeHost host;
    host.set_host_status(status);
    vigil::Host h(host.api(), host.handle());
    CHECK(vigil::last_central_contact_ns(h, "kataedr") == 1700000000000000000);
}
