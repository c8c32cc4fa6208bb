#include "ledger.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "vigil/testing/temp_dir.hpp"

using namespace vigil::network_threat;
using vigil::common::parse_ip_prefix;

TEST_CASE("ledger: survives a save and a load, with mode and every field") {
    vigil::testing::TempDir dir;
    const std::string path = dir.path().string() + "/bans.json";
    {
        Ledger l(path);
        CHECK(l.load().mode.empty());
        l.put(Ban{*parse_ip_prefix("10.0.0.2"), false, 1000, 61000, "scan.tcp.syn", "policy", 42});
        l.put(Ban{*parse_ip_prefix("2001:db8:1:2::/64"), false, 1000, 91000, "manual", "task:7", 0});
        l.put(Ban{*parse_ip_prefix("10.0.0.3"), true, 1000, 31000, "flood.udp", "policy", 43});
        l.save("block");
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
    }
    Ledger l(path);
    const auto loaded = l.load();
    CHECK(loaded.mode == "block");
    CHECK(loaded.warnings.empty());
    CHECK(l.bans().size() == 3);
    CHECK(l.listed() == 2);
    const Ban* b = l.find(*parse_ip_prefix("10.0.0.2"), false);
    REQUIRE(b);
    CHECK(b->until_ms == 61000);
    CHECK(b->reason == "scan.tcp.syn");
    CHECK(b->threat_id == 42);
    CHECK(l.find(*parse_ip_prefix("10.0.0.3"), true));
    CHECK_FALSE(l.find(*parse_ip_prefix("10.0.0.3"), false));
    auto expired = l.take_expired(61000);
    CHECK(expired.size() == 2);
    CHECK(l.bans().size() == 1);
    CHECK(l.erase(*parse_ip_prefix("2001:db8:1:2::/64"), false));
    CHECK_FALSE(l.erase(*parse_ip_prefix("2001:db8:1:2::/64"), false));
}

TEST_CASE("ledger: a damaged file is skipped with warnings, never fatal") {
    vigil::testing::TempDir dir;
    const auto path = dir.write("bans.json", "not json");
    Ledger l(path);
    auto r = l.load();
    CHECK(l.bans().empty());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("not a ledger file") != std::string::npos);
    dir.write("bans.json",
              R"({"mode":"block","bans":[{"prefix":"10.0.0.0/8","since_ms":1,"until_ms":2},{"prefix":"x"},7,)"
              R"({"prefix":"10.0.0.9","since_ms":1,"until_ms":99999}]})");
    r = l.load();
    CHECK(l.bans().size() == 1);
    CHECK(r.warnings.size() == 3);
    CHECK(r.warnings[0].find("neither an address nor an IPv6 /64") != std::string::npos);
}
