// The connector glue (src/plugin.cpp) on a fake host: settings as the host hands
// them over, subscriptions, the status timer, the connector-contact contract in the
// status JSON, and the check_contact command against a central node that is not
// there (127.0.0.1 port 1 refuses at once).
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vigil/json_reader.hpp>

#include "settings.hpp"
#include "vigil/testing/plugin_fixture.hpp"
#include "vigil/testing/temp_dir.hpp"

extern "C" VIGIL_DECLARE_PLUGIN_ENTRY;  // src/plugin.cpp, linked into this test

namespace {

// A self-signed CA certificate from the openssl CLI (the connector refuses to start without server_ca).
struct ServerCa {
    vigil::testing::TempDir dir;
    std::string pem = dir.path().string() + "/ca.pem";
    ServerCa() {
        std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + dir.path().string() + "/ca.key' -out '" + pem +
                          "' -days 2 -subj /CN=GlueCA >/dev/null 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
    }
    std::string settings(const std::string& more = "") const {
        return R"({"servers":["https://127.0.0.1:1"],"server_ca":")" + pem + R"(","connect_timeout_s":1)" + more + "}";
    }
};

struct Glue : vigil::testing::PluginFixture {
    explicit Glue(const std::string& json)
        : PluginFixture(vigil::kataedr::kConfigSchema, "kataedr", json, vigil_plugin_entry) {}
};

}  // namespace

TEST_CASE("kataedr glue: starts with the schema's defaults, publishes the connector status, stops cleanly") {
    ServerCa ca;
    Glue g(ca.settings());
    REQUIRE(g.created == VIGIL_OK);
    CHECK(g.host.subscriptions() == 6);  // process start/exit, network, file, threat, action result
    REQUIRE(g.host.start() == VIGIL_OK);
    CHECK(g.host.timers() == 1);
    const auto st = vigil::json::parse(g.host.status());
    REQUIRE(st.is_object());
    const auto* connector = st.find("connector");
    REQUIRE(connector);
    CHECK(connector->find("last_contact_ns")->as_int64() == 0);  // never reached a central node
    CHECK(connector->find("servers")->items().size() == 1);
    CHECK(st.find("servers")->items()[0].as_string() == "https://127.0.0.1:1");
    CHECK(st.find("proxy")->is_null());
    CHECK(st.find("tls")->find("server_trust")->as_string() == "CA");
    CHECK(st.find("telemetry")->find("enabled")->as_bool());
    CHECK(st.find("tasks")->find("signed_tasks_required")->as_bool() == false);
    CHECK(st.find("metrics")->is_array());
    const size_t before = g.host.status_updates();
    g.host.advance(std::chrono::milliseconds(1100));
    CHECK(g.host.status_updates() > before);
    CHECK(g.host.stop() == VIGIL_OK);
    CHECK(g.host.timers() == 0);
}

TEST_CASE("kataedr glue: check_contact answers, a failure names its kind") {
    ServerCa ca;
    Glue g(ca.settings());
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    auto r = g.host.command("kataedr.check_contact", R"({"timeout_ms":3000})");
    REQUIRE(r.answered);
    CHECK(r.status == VIGIL_EFAILED);
    CHECK(r.error.find("connect") != std::string::npos);
    r = g.host.command("kataedr.check_contact", R"({"timeout_ms":"soon"})");
    REQUIRE(r.answered);
    CHECK(r.status == VIGIL_EINVAL);
    CHECK(g.host.stop() == VIGIL_OK);
}

TEST_CASE("kataedr glue: settings the schema lets through but the connector cannot use fail create") {
    ServerCa ca;
    Glue g(ca.settings(R"(,"mutual_auth":true)"));
    CHECK(g.created == VIGIL_EFAILED);
    CHECK(g.host.last_error().find("client_p12") != std::string::npos);
}
