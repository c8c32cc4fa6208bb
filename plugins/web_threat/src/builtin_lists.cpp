#include "builtin_lists.hpp"

namespace vigil::web_threat {

namespace {

// Suffix entries: "cloudflare-dns.com" also covers mozilla./chrome.cloudflare-dns.com.
constexpr const char* kDohEndpoints =
    "dns.google\n"
    "dns.google.com\n"
    "cloudflare-dns.com\n"
    "one.one.one.one\n"
    "dns.quad9.net\n"
    "dns9.quad9.net\n"
    "dns10.quad9.net\n"
    "dns11.quad9.net\n"
    "doh.opendns.com\n"
    "doh.familyshield.opendns.com\n"
    "dns.nextdns.io\n"
    "doh.cleanbrowsing.org\n"
    "dns.adguard.com\n"
    "dns.adguard-dns.com\n"
    "doh.mullvad.net\n"
    "dns.mullvad.net\n"
    "doh.dns.sb\n"
    "dns.alidns.com\n"
    "doh.pub\n"
    "dns.controld.com\n"
    "freedns.controld.com\n"
    "doh.libredns.gr\n"
    "dns.twnic.tw\n";

}  // namespace

std::vector<SentList> builtin_lists(const Settings& s) {
    std::vector<SentList> out;
    if (s.block_doh) {
        SentList l;
        l.spec.name = "doh_endpoints";
        l.spec.format = ListFormat::domains;
        l.spec.category = Category::other;
        l.spec.suffix = true;
        l.content = kDohEndpoints;
        l.source = "builtin";
        out.push_back(std::move(l));
    }
    return out;
}

}  // namespace vigil::web_threat
