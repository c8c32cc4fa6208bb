#include "settings.hpp"

#include <doctest/doctest.h>

#include "vigil/testing/host_settings.hpp"

using namespace vigil::web_threat;
using vigil::testing::host_settings;

namespace {

std::string refusal(const std::string& json) {
    try {
        parse_settings(host_settings(kSettingsSchema, json));
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("settings: the schema's defaults are the code's defaults") {
    CHECK(parse_settings(host_settings(kSettingsSchema, "{}")) == Settings{});
    CHECK(parse_settings("{}") == Settings{});
    CHECK(Settings{}.enabled() == (bit(Category::malicious) | bit(Category::phishing) | bit(Category::other)));
}

TEST_CASE("settings: lists take their category and match from the format unless given") {
    const Settings s = parse_settings(host_settings(kSettingsSchema, R"({"action_on_detect":"notify",
        "check_adware": true, "lists":[
          {"name":"uh","path":"/l/uh.csv","format":"urlhaus_csv"},
          {"name":"pt","path":"/l/pt.csv","format":"phishtank_csv"},
          {"name":"sb","path":"/l/hosts","format":"hosts","category":"adware"},
          {"name":"d","path":"/l/d","format":"domains","match":"exact","category":"other"}]})"));
    CHECK(s.mode() == "notify");
    REQUIRE(s.lists.size() == 4);
    CHECK(s.lists[0].category == Category::malicious);
    CHECK(s.lists[1].category == Category::phishing);
    CHECK(s.lists[2].category == Category::adware);
    CHECK_FALSE(s.lists[2].suffix);
    CHECK(s.lists[0].suffix);
    CHECK_FALSE(s.lists[3].suffix);
    CHECK(s.enabled() == kAllCategories);
}

TEST_CASE("settings: refusals name the key and the reason") {
    CHECK(refusal(R"({"lists":[{"name":"a","path":"/x","format":"csv"}]})").find("format") != std::string::npos);
    CHECK(refusal(R"({"lists":[{"name":"a","path":"/x","format":"hosts"},{"name":"a","path":"/y","format":"ips"}]})") ==
          "web_threat: lists[1].name: 'a' is used twice");
    CHECK(refusal(R"({"trusted_addresses":["good.test","bad host"]})") ==
          "web_threat: trusted_addresses[1] 'bad host': not a domain, address, CIDR or URL: character ' ' is not "
          "allowed in a host name");
    CHECK(refusal(R"({"max_list_mb":0})").find("max_list_mb") != std::string::npos);
}
