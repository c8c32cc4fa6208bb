// Verdicts: trusted addresses override the lists; categories switch checks;
// a swapped list set takes effect for new lookups while old readers keep theirs.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "host_name.hpp"
#include "list_parser.hpp"
#include "verdict.hpp"

using namespace vigil::web_threat;

namespace {

std::shared_ptr<const ListSet> lists(const char* domains, const char* urls, const char* ips) {
    ListSetBuilder b;
    ListSpec s;
    s.name = "bad-domains";
    s.format = ListFormat::domains;
    s.category = Category::malicious;
    parse_list_text(b, s, domains, "d");
    s.name = "phish-urls";
    s.format = ListFormat::urls;
    s.category = Category::phishing;
    parse_list_text(b, s, urls, "u");
    s.name = "bad-ips";
    s.format = ListFormat::ips;
    s.category = Category::malicious;
    parse_list_text(b, s, ips, "i");
    return b.finish();
}

Target target(const char* host, const char* url = nullptr, const char* ip = nullptr) {
    Target t;
    t.host = canonical_host(host);
    if (url) t.url = canonicalize_url(url);
    if (ip) t.ip = *vigil::common::parse_ip_address(ip);
    return t;
}

}  // namespace

TEST_CASE("block by domain, URL and IP; the verdict names the list") {
    auto blocked = lists("blocked.test\n", "http://shared.test/bad/\n", "10.9.0.66\n");
    auto trusted = build_trusted({});
    auto v = judge(*blocked, *trusted, target("www.blocked.test"), kAllCategories);
    CHECK(v.decision == Decision::block);
    CHECK(v.list == "bad-domains");
    CHECK(v.match->entry == "blocked.test");
    v = judge(*blocked, *trusted, target("shared.test", "http://shared.test/bad/x"), kAllCategories);
    CHECK(v.decision == Decision::block);
    CHECK(v.list == "phish-urls");
    CHECK(v.match->category == Category::phishing);
    CHECK(v.match->kind == MatchKind::url);
    CHECK(judge(*blocked, *trusted, target("shared.test", "http://shared.test/good"), kAllCategories).decision ==
          Decision::allow);
    v = judge(*blocked, *trusted, target("", nullptr, "10.9.0.66"), kAllCategories);
    CHECK(v.decision == Decision::block);
    CHECK(v.match->kind == MatchKind::ip);
    // CheckPhishing off: the phishing URL passes.
    CHECK(judge(*blocked, *trusted, target("shared.test", "http://shared.test/bad/x"), bit(Category::malicious))
              .decision == Decision::allow);
}

TEST_CASE("a host that is an address is judged as that address, whatever the destination") {
    auto blocked = lists("", "", "10.9.0.66\nfd09::66\n");
    auto trusted = build_trusted({"10.9.1.0/24"});
    // Through a proxy (destination 10.9.0.2): the named address decides.
    for (const char* host : {"10.9.0.66", "0x0a.9.0.66", "[fd09::66]", "[FD09:0::66]", "fd09::66", "[::ffff:10.9.0.66]"}) {
        CAPTURE(host);
        auto v = judge(*blocked, *trusted, target(host, nullptr, "10.9.0.2"), kAllCategories);
        CHECK(v.decision == Decision::block);
        REQUIRE(v.match);
        CHECK(v.match->kind == MatchKind::ip);
    }
    for (const char* host : {"10.9.0.2", "[fd09::2]", "fd09.test", "[fd09::66", "1.example", "[]"}) {
        CAPTURE(host);
        CHECK(judge(*blocked, *trusted, target(host, nullptr, "10.9.0.2"), kAllCategories).decision == Decision::allow);
    }
    CHECK(judge(*blocked, *trusted, target("10.9.1.7", nullptr, "10.9.0.66"), kAllCategories).decision ==
          Decision::trusted);
    CHECK(address_of_host("[fd09::66]")->text() == "fd09::66");
    CHECK(address_of_host("[::ffff:10.9.0.66]")->text() == "10.9.0.66");
    CHECK_FALSE(address_of_host("blocked.test"));
    CHECK_FALSE(address_of_host("1.example"));
}

TEST_CASE("trusted addresses override every list") {
    auto blocked = lists("blocked.test\n", "http://shared.test/bad/\n", "10.9.0.0/24\n");
    auto trusted = build_trusted({"www.blocked.test", "10.9.0.5", "https://shared.test/bad/ok/", "*.wild.test"});
    CHECK(judge(*blocked, *trusted, target("www.blocked.test"), kAllCategories).decision == Decision::trusted);
    // An exact trusted name does not trust the names below it or its parent.
    CHECK(judge(*blocked, *trusted, target("a.www.blocked.test"), kAllCategories).decision == Decision::block);
    CHECK(judge(*blocked, *trusted, target("blocked.test"), kAllCategories).decision == Decision::block);
    CHECK(judge(*blocked, *trusted, target("x", nullptr, "10.9.0.5"), kAllCategories).decision == Decision::trusted);
    CHECK(judge(*blocked, *trusted, target("x", nullptr, "10.9.0.6"), kAllCategories).decision == Decision::block);
    CHECK(judge(*blocked, *trusted, target("shared.test", "http://shared.test/bad/ok/1"), kAllCategories).decision ==
          Decision::trusted);
    CHECK(judge(*blocked, *trusted, target("shared.test", "http://shared.test/bad/1"), kAllCategories).decision ==
          Decision::block);
    CHECK(build_trusted({"*.wild.test"})->match_host("a.b.wild.test", kAllCategories));
}

TEST_CASE("a bad trusted address is named by its index") {
    CHECK_THROWS_WITH_AS(build_trusted({"ok.test", "bad name"}),
                         "trusted_addresses[1] 'bad name': not a domain, address, CIDR or URL: character ' ' is not "
                         "allowed in a host name",
                         TrustedAddressError);
}

TEST_CASE("a list swap is atomic: readers see the old or the new set, never a mix") {
    ListHolder holder(lists("old.test\n", "", ""));
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> old_seen{0}, new_seen{0}, torn{0};
    std::thread reader([&] {
        while (!stop) {
            auto s = holder.get();
            const bool o = s->match_host("old.test", kAllCategories).has_value();
            const bool n = s->match_host("new.test", kAllCategories).has_value();
            if (o == n) ++torn;
            (o ? old_seen : new_seen)++;
        }
    });
    // At least 200 swaps, and on until the reader has seen both sets (a busy
    // machine may start it late), at most 20 s.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (int i = 0; (i < 200 || old_seen == 0 || new_seen == 0) && std::chrono::steady_clock::now() < until; ++i)
        holder.set(lists(i % 2 ? "old.test\n" : "new.test\n", "", ""));
    stop = true;
    reader.join();
    CHECK(torn == 0);
    CHECK(old_seen > 0);
    CHECK(new_seen > 0);
}
