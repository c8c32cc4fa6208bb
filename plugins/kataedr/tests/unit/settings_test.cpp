#include "settings.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "task_authorization.hpp"
#include "vigil/testing/host_settings.hpp"

using namespace vigil::kataedr;
using vigil::testing::HostSettingsError;

namespace {

// What the plugin gets from vigild: validated against the schema, defaults filled.
Settings host_parse(const std::string& json) { return parse_settings(vigil::testing::host_settings(kConfigSchema, json)); }

}  // namespace

TEST_CASE("settings: defaults of the established product") {
    Settings s = host_parse(R"({"servers":["https://127.0.0.1:8443"],"server_ca":"/ca.pem"})");
    CHECK(s.servers.size() == 1);
    CHECK(s.connect_timeout_s == 10);
    CHECK(s.request_timeout_s == 10);
    CHECK(s.sync_period_s == 300);
    CHECK(s.max_send_delay_s == 30);
    CHECK(s.max_batch_events == 1024);
    CHECK(s.events_per_hour == 3000);
    CHECK(s.type_threshold_percent == 15);
    CHECK(s.rate_limit_enabled);
    CHECK(s.telemetry_enabled);
    CHECK_FALSE(s.mutual_auth);
}

TEST_CASE("settings: the schema's defaults are the code's defaults") {
    const char* minimal = R"({"servers":["https://127.0.0.1:8443"],"server_ca":"/ca.pem"})";
    Settings code;
    code.servers = {parse_server_url("https://127.0.0.1:8443")};
    code.server_ca = "/ca.pem";
    code.allowed_tasks = product_task_types();  // the schema's x-default
    CHECK(host_parse(minimal) == code);
    CHECK(parse_settings(minimal) == code);  // without a host: the initializers
    CHECK(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","allowed_tasks":[]})").allowed_tasks.empty());
}

TEST_CASE("settings: everything set") {
    Settings s = host_parse(R"({"servers":["https://a:1","https://b:2"],"server_ca":"/ca.pem",
        "mutual_auth":true,"client_p12":"/c.p12","client_p12_password_file":"/pw",
        "connect_timeout_s":3,"request_timeout_s":4,"sync_period_s":60,"max_send_delay_s":1,
        "max_batch_events":10,"rate_limit_enabled":false,"events_per_hour":100,"type_threshold_percent":50,
        "telemetry_enabled":false,"exclusions":[{"exe":"/usr/bin/*"},{"cmdline":"^cron"}, {"exe":"/x","cmdline":"y"}],
        "spool_max_mb":0.5,"task_poll_wait_s":2,"task_timeout_s":9})");
    CHECK(s.servers[1].text == "https://b:2");
    CHECK(s.mutual_auth);
    CHECK(s.max_batch_events == 10);
    CHECK(s.exclusions.size() == 3);
    CHECK(s.exclusions[2].exe_glob == "/x");
    CHECK(s.exclusions[2].cmdline_regex == "y");
    CHECK(s.spool_max_mb == 0.5);
    CHECK(s.task_poll_wait_s == 2);
}

TEST_CASE("settings: errors name the key") {
    // Required keys, URL scheme, bounds, unknown keys and exclusion shape are the schema's:
    // the host refuses, naming the key.
    CHECK_THROWS_WITH_AS(host_parse(R"({"server_ca":"/ca.pem"})"), doctest::Contains("servers"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"servers":["https://a:1"]})"), doctest::Contains("server_ca"),
                         HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"servers":["https://a:1","ftp://b"],"server_ca":"x"})"),
                         doctest::Contains("servers[1]"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","sync_period_s":0})"),
                         doctest::Contains("sync_period_s"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","type_threshold_percent":101})"),
                         doctest::Contains("type_threshold_percent"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","bogus":1})"),
                         doctest::Contains("bogus"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","exclusions":[{}]})"),
                         doctest::Contains("exclusions[0]"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","exclusions":[{"path":"a"}]})"),
                         doctest::Contains("exclusions[0]"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","spool_max_mb":0})"),
                         doctest::Contains("spool_max_mb"), HostSettingsError);
    // What the schema cannot say stays the plugin's: URL syntax, fields that depend on each other.
    CHECK_THROWS_WITH(parse_settings(R"({"server_ca":"/ca.pem"})"), doctest::Contains("servers"));
    CHECK_THROWS_WITH(host_parse(R"({"servers":["https://a:1","https://b:x"],"server_ca":"x"})"),
                      doctest::Contains("kataedr.servers[1]"));
    CHECK_THROWS_WITH(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","mutual_auth":true})"),
                      doctest::Contains("kataedr.client_p12"));
    CHECK_THROWS_WITH(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","max_string_bytes":70000})"),
                      doctest::Contains("kataedr.max_string_bytes"));
    CHECK_THROWS_WITH(host_parse(R"({"servers":["https://a:1"],"server_ca":"x","allowed_tasks":["rm -rf"]})"),
                      doctest::Contains("kataedr.allowed_tasks[0]"));
    CHECK_THROWS_WITH(parse_settings(R"({"servers":["https://a:1"],"server_ca":"x","exclusions":[{}]})"),
                      doctest::Contains("kataedr.exclusions[0]"));
    CHECK_THROWS(parse_settings("not json"));
}
