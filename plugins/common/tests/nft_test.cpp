#include <doctest/doctest.h>
#include <sched.h>

#include <cstdlib>
#include <stdexcept>

#include "vigil/common/nft.hpp"

using namespace vigil::common;

namespace {

// Kernel checks run in a network namespace of their own so they never touch
// the host's ruleset; false when that is not permitted (not root).
bool enter_private_netns() {
    static const bool ok = ::unshare(CLONE_NEWNET) == 0;
    return ok;
}

}  // namespace

TEST_CASE("nft: names and families that cannot inject syntax") {
    for (const char* name : {"vigil_iso", "a1"}) CHECK_MESSAGE(nft::valid_name(name), name);
    for (const std::string& name :
         std::initializer_list<std::string>{"", "1abc", "x; flush ruleset", std::string(65, 'a')})
        CHECK_MESSAGE(!nft::valid_name(name), name);
    CHECK(nft::valid_family("inet"));
    CHECK_FALSE(nft::valid_family("inet filter"));
    CHECK(nft::delete_table_text("inet", "t") == "add table inet t\ndelete table inet t\n");
    CHECK_THROWS_AS(nft::delete_table_text("inet", "t }"), std::invalid_argument);
    CHECK_THROWS_AS(nft::delete_table_text("foo", "t"), std::invalid_argument);
}

TEST_CASE("nft: apply, list (text and JSON), dry run, errors, delete") {
    if (!enter_private_netns()) {
        MESSAGE("skipped: needs CAP_SYS_ADMIN for a private network namespace");
        return;
    }
    nft::Runner nft;
    CHECK_FALSE(nft.table_exists("inet", "common_nft_test"));
    CHECK_FALSE(nft.list_table("inet", "common_nft_test").ok);

    auto r = nft.run("table inet common_nft_test { chain c { type filter hook output priority 0; }; }",
                     {.dry_run = true});
    CHECK_MESSAGE(r.ok, r.error);
    CHECK_FALSE(nft.table_exists("inet", "common_nft_test"));

    r = nft.run("table inet common_nft_test { set s { type ipv4_addr; elements = { 192.0.2.1 }; }; }");
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(nft.table_exists("inet", "common_nft_test"));
    CHECK_FALSE(nft.table_exists("ip", "common_nft_test"));
    CHECK_FALSE(nft.table_exists("inet", "common_nft_tes"));

    r = nft.list_table("inet", "common_nft_test");
    REQUIRE(r.ok);
    CHECK(r.output.find("192.0.2.1") != std::string::npos);
    r = nft.list_table("inet", "common_nft_test", true);
    REQUIRE(r.ok);
    CHECK(r.output.rfind("{\"nftables\":", 0) == 0);
    // The JSON flag is per call: the next listing is text again.
    CHECK(nft.list_table("inet", "common_nft_test").output.rfind("table inet", 0) == 0);

    // JSON input in JSON mode.
    r = nft.run(R"({"nftables":[{"add":{"element":{"family":"inet","table":"common_nft_test","name":"s",)"
                R"("elem":["192.0.2.2"]}}}]})",
                {.json = true});
    CHECK_MESSAGE(r.ok, r.error);
    CHECK(nft.list_table("inet", "common_nft_test").output.find("192.0.2.2") != std::string::npos);

    // A failing transaction changes nothing and names the problem.
    r = nft.run("add element inet common_nft_test s { 192.0.2.3 }\nadd element inet common_nft_test s { 10.0.0.0/33 }");
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.error.empty());
    CHECK(nft.list_table("inet", "common_nft_test").output.find("192.0.2.3") == std::string::npos);

    CHECK(nft.delete_table("inet", "common_nft_test").ok);
    CHECK_FALSE(nft.table_exists("inet", "common_nft_test"));
    CHECK(nft.delete_table("inet", "common_nft_test").ok);  // idempotent
}
