#include "settings.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace vigil::kataedr;

TEST_CASE("settings: defaults of the established product") {
    Settings s = parse_settings(R"({"servers":["https://127.0.0.1:8443"],"server_ca":"/ca.pem"})");
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

TEST_CASE("settings: everything set") {
    Settings s = parse_settings(R"({"servers":["https://a:1","https://b:2"],"server_ca":"/ca.pem",
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
    CHECK_THROWS_WITH(parse_settings(R"({"server_ca":"/ca.pem"})"), doctest::Contains("kataedr.servers"));
    CHECK_THROWS_WITH(parse_settings(R"({"servers":["https://a:1"]})"),
                      doctest::Contains("kataedr.server_ca"));
    CHECK_THROWS_WITH(parse_settings(R"({"servers":["https://a:1","ftp://b"],"server_ca":"x"})"),
                      doctest::Contains("kataedr.servers[1]"));
    CHECK_THROWS_WITH(parse_settings(R"({"servers":["https://a:1"],"server_ca":"x","mutual_auth":true})"),
                      doctest::Contains("kataedr.client_p12"));
    CHECK_THROWS_WITH(parse_settings(R"({"servers":["https://a:1"],"server_ca":"x","sync_period_s":0})"),
                      doctest::Contains("kataedr.sync_period_s"));
    CHECK_THROWS_WITH(
        parse_settings(R"({"servers":["https://a:1"],"server_ca":"x","type_threshold_percent":101})"),
        doctest::Contains("kataedr.type_threshold_percent"));
    CHECK_THROWS_WITH(parse_settings(R"({"servers":["https://a:1"],"server_ca":"x","bogus":1})"),
                      doctest::Contains("kataedr.bogus"));
    CHECK_THROWS_WITH(parse_settings(R"({"servers":["https://a:1"],"server_ca":"x","exclusions":[{}]})"),
                      doctest::Contains("kataedr.exclusions[0]"));
    CHECK_THROWS_WITH(
        parse_settings(R"({"servers":["https://a:1"],"server_ca":"x","exclusions":[{"path":"a"}]})"),
        doctest::Contains("exclusions[0].path"));
    CHECK_THROWS_WITH(parse_settings(R"({"servers":["https://a:1"],"server_ca":"x","spool_max_mb":0})"),
                      doctest::Contains("kataedr.spool_max_mb"));
    CHECK_THROWS(parse_settings("not json"));
}
