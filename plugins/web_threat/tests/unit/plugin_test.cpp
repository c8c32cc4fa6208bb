// The plugin glue (src/plugin.cpp) on a fake host: settings as vigild hands
// them over, list loading at start, web_threat.check / set_lists / reload and
// the status JSON.
#include <doctest/doctest.h>

#include <string>
#include <vigil/json_reader.hpp>

#include "settings.hpp"
#include "vigil/testing/plugin_fixture.hpp"

extern "C" VIGIL_DECLARE_PLUGIN_ENTRY;  // src/plugin.cpp, linked into this test

namespace {

struct Glue : vigil::testing::PluginFixture {
    // Interception off unless a test asks for it: a unit test must never
    // redirect the host's traffic.
    explicit Glue(const std::string& json, bool intercept = false)
        : PluginFixture(vigil::web_threat::kSettingsSchema, "web_threat",
                        intercept ? json : without_interception(json), vigil_plugin_entry) {}
    static std::string without_interception(const std::string& json) {
        // Nor the built-in DoH list: these tests count the lists' entries.
        return json == "{}" ? R"({"intercept":false,"block_doh":false})"
                            : R"({"intercept":false,"block_doh":false,)" + json.substr(1);
    }
    vigil::json::Value check(const std::string& args) {
        auto r = host.command("web_threat.check", args);
        REQUIRE(r.status == VIGIL_OK);
        return vigil::json::parse(r.result_json);
    }
    vigil::json::Value status() { return vigil::json::parse(host.status()); }
};

std::string decision(const vigil::json::Value& v) { return v.find("decision")->as_string(); }

}  // namespace

TEST_CASE("web_threat glue: lists load at start; check answers from them") {
    vigil::testing::TempDir lists;
    std::string text = "blocked.test\n# comment\n10.9.0.66\nbad line here\n";
    for (int i = 0; i < 10; ++i) text += "filler" + std::to_string(i) + ".test\n";
    const std::string file = lists.write("bad.txt", text);
    ::setenv("VIGIL_INSECURE_DEV_PERMISSIONS", "1", 1);  // the temp dir is not root-owned for every runner
    Glue g(R"({"lists":[{"name":"bad","path":")" + file + R"(","format":"domains"}],
               "trusted_addresses":["www.blocked.test"]})");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    auto v = g.check(R"({"host":"a.Blocked.TEST."})");
    CHECK(decision(v) == "block");
    CHECK(v.find("action")->as_string() == "block");
    CHECK(v.find("list")->as_string() == "bad");
    CHECK(v.find("entry")->as_string() == "blocked.test");
    CHECK(decision(g.check(R"({"args":["www.blocked.test"]})")) == "trusted");
    CHECK(decision(g.check(R"({"args":["10.9.0.66"]})")) == "block");
    CHECK(decision(g.check(R"({"args":["http://ok.test/x"]})")) == "allow");
    g.host.advance(std::chrono::milliseconds(10000));  // the status refresh
    auto st = g.status();
    REQUIRE(st.find("lists"));
    CHECK(st.find("domains")->as_uint64() == 11);
    CHECK(st.find("ips")->as_uint64() == 1);
    CHECK(st.find("mode")->as_string() == "block");
    CHECK(st.find("list_errors")->items().empty());
    bool named = false;
    for (const auto& p : st.find("problems")->items())
        named = named || p.as_string().find("bad.txt:4: 'bad line here'") != std::string::npos;
    CHECK(named);
    CHECK(st.find("checks")->as_uint64() == 4);
    auto bad = g.host.command("web_threat.check", R"({"ip":"nope"})");
    CHECK(bad.status == VIGIL_EINVAL);
    CHECK(g.host.stop() == VIGIL_OK);
}

TEST_CASE("web_threat glue: set_lists swaps the set, keeps it across restarts, refuses bad lists whole") {
    Glue g("{}");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    CHECK(decision(g.check(R"({"host":"phish.test"})")) == "allow");
    auto r = g.host.command("web_threat.set_lists", R"({"lists":[
        {"name":"central-phish","format":"domains","category":"phishing","content":"phish.test\n"},
        {"name":"central-urls","format":"urls","content":"http://shared.test/bad/\n"}]})");
    REQUIRE(r.status == VIGIL_OK);
    CHECK(vigil::json::parse(r.result_json).find("domains")->as_uint64() == 1);
    auto v = g.check(R"({"host":"www.phish.test"})");
    CHECK(decision(v) == "block");
    CHECK(v.find("category")->as_string() == "phishing");
    CHECK(decision(g.check(R"({"url":"http://shared.test/bad/x"})")) == "block");
    // A refused list changes nothing.
    r = g.host.command("web_threat.set_lists",
                       R"({"lists":[{"name":"x","format":"hosts","content":"not hosts\nat all\n"}]})");
    CHECK(r.status == VIGIL_EINVAL);
    CHECK(r.error.find("list 'x' (hosts): 2 of 2 lines are malformed") != std::string::npos);
    CHECK(decision(g.check(R"({"host":"phish.test"})")) == "block");
    CHECK(g.host.command("web_threat.set_lists", R"({"lists":[{"name":"../x","format":"hosts","content":""}]})")
              .status == VIGIL_EINVAL);
    // web_threat.reload reads the kept lists back.
    r = g.host.command("web_threat.reload");
    REQUIRE(r.status == VIGIL_OK);
    CHECK(decision(g.check(R"({"host":"phish.test"})")) == "block");
    CHECK(g.host.stop() == VIGIL_OK);
}

TEST_CASE("web_threat glue: interception that cannot start is reported; the lists still answer") {
    Glue g(R"({"worker_user":"vigil-no-such-user-x"})", true);
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    g.host.advance(std::chrono::milliseconds(10000));
    auto st = g.status();
    const auto* ic = st.find("interception");
    REQUIRE(ic);
    CHECK(ic->find("enabled")->as_bool());
    CHECK(ic->find("error")->as_string().find("worker_user 'vigil-no-such-user-x' does not exist") != std::string::npos);
    CHECK(decision(g.check(R"({"host":"ok.test"})")) == "allow");
    // The built-in list of public DoH resolvers is on by default.
    auto doh = g.check(R"({"host":"mozilla.cloudflare-dns.com"})");
    CHECK(decision(doh) == "block");
    CHECK(doh.find("list")->as_string() == "doh_endpoints");
    CHECK(doh.find("category")->as_string() == "other");
    CHECK(g.host.stop() == VIGIL_OK);
}
