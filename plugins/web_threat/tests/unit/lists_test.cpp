// The list formats against the real feed samples in ../shared/corpus and
// illustrative rows of the formats FORMATS.md describes; matching and errors.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <vigil/testing/temp_dir.hpp>

#include "host_name.hpp"
#include "list_parser.hpp"

using namespace vigil::web_threat;
namespace fs = std::filesystem;

namespace {

fs::path corpus(const char* name) { return fs::path(VIGIL_CORPUS_DIR) / "blocklists" / name; }

ListSpec spec(ListFormat f, std::string path = "", std::string name = "test") {
    ListSpec s;
    s.name = std::move(name);
    s.path = std::move(path);
    s.format = f;
    s.category = default_category(f);
    s.suffix = default_suffix(f);
    return s;
}

std::shared_ptr<const ListSet> parse(ListFormat f, std::string_view text, LoadReport* report = nullptr) {
    ListSetBuilder b;
    auto r = parse_list_text(b, spec(f), text, "inline");
    if (report) *report = r;
    return b.finish();
}

bool blocks_host(const ListSet& s, std::string_view host) {
    return s.match_host(canonical_host(host), kAllCategories).has_value();
}

bool blocks_url(const ListSet& s, std::string_view url) {
    auto u = canonicalize_url(url);
    return u && s.match_url(*u, kAllCategories).has_value();
}

// Each {text, expected}: a URL when it has a '/', else a host name.
void expect_blocks(const ListSet& s, std::initializer_list<std::pair<const char*, bool>> cases) {
    for (const auto& [text, want] : cases) {
        CAPTURE(text);
        const bool url = std::string_view(text).find('/') != std::string_view::npos;
        CHECK((url ? blocks_url(s, text) : blocks_host(s, text)) == want);
    }
}

}  // namespace

TEST_CASE("URLhaus host file from the corpus: 100 exact hosts") {
    ListSetBuilder b;
    auto r = load_list_file(b, spec(ListFormat::urlhaus_hostfile, corpus("urlhaus-hostfile-20200826-first100.txt")),
                            1 << 20);
    auto set = b.finish();
    CHECK(r.entries == 100);
    CHECK(r.invalid == 0);
    CHECK(set->domain_count() == 100);
    CHECK(blocks_host(*set, "01.shgrasp.vip"));
    CHECK(blocks_host(*set, "1AM.co.NZ."));
    CHECK_FALSE(blocks_host(*set, "www.01.shgrasp.vip"));  // host files name exact hosts
    CHECK_FALSE(blocks_host(*set, "shgrasp.vip"));
}

TEST_CASE("StevenBlack hosts sample from the corpus: 20 hosts, comments skipped") {
    ListSetBuilder b;
    ListSpec s = spec(ListFormat::hosts, corpus("stevenblack-hosts-first20.txt"));
    s.category = Category::adware;
    auto r = load_list_file(b, s, 1 << 20);
    auto set = b.finish();
    CHECK(r.entries == 20);
    CHECK(r.lines == 24);
    auto m = set->match_host("2no.co", kAllCategories);
    REQUIRE(m);
    CHECK(m->category == Category::adware);
    CHECK(set->lists()[m->list].name == "test");
    // The adware check switch off: the entry no longer matches.
    CHECK_FALSE(set->match_host("2no.co", bit(Category::malicious) | bit(Category::phishing)));
}

TEST_CASE("LOKI c2 IOCs from the corpus: 1709 domains and 135 IPv4 addresses") {
    ListSetBuilder b;
    auto r = load_list_file(b, spec(ListFormat::loki_c2, corpus("signature-base-c2-iocs.txt")), 1 << 20);
    auto set = b.finish();
    CHECK(r.invalid == 0);
    CHECK(set->lists()[0].domains == 1709);
    CHECK(set->lists()[0].ips == 135);
    CHECK(blocks_host(*set, "suroot.com"));
    CHECK(blocks_host(*set, "mail.suroot.com"));  // plain domain lists block below the name
    CHECK(set->match_ip(*vigil::common::parse_ip_address("58.64.143.244"), kAllCategories));
    CHECK(set->match_ip(*vigil::common::parse_ip_address("176.123.5.126"), kAllCategories));  // ";65" score
    CHECK_FALSE(set->match_ip(*vigil::common::parse_ip_address("58.64.143.245"), kAllCategories));
}

TEST_CASE("URLhaus CSV: the header comment names the url column, quoted tags hold commas") {
    const char* text =
        "################################################################\n"
        "# abuse.ch URLhaus Database Dump (CSV - recent URLs)            #\n"
        "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"
        "\"1\",\"2026-07-30 11:54:23\",\"http://198.51.100.7:37352/bin.sh\",\"online\",\"2026-07-30 11:54:23\","
        "\"malware_download\",\"32-bit,elf,mips,Mozi\",\"https://urlhaus.abuse.ch/url/1/\",\"reporter\"\r\n"
        "\"2\",\"2026-07-30 11:55:00\",\"https://files.example.test/share/x.exe?dl=1\",\"offline\",\"\","
        "\"malware_download\",\"exe\",\"https://urlhaus.abuse.ch/url/2/\",\"r\"\n";
    LoadReport r;
    auto set = parse(ListFormat::urlhaus_csv, text, &r);
    CHECK(r.entries == 2);
    CHECK(r.invalid == 0);
    // A URL entry never blocks its whole (shared) host or another file on it.
    expect_blocks(*set, {{"http://198.51.100.7/bin.sh", true},
                         {"https://files.example.test/share/x.exe?dl=1", true},
                         {"http://FILES.example.test/share/./x.exe?dl=1", true},
                         {"https://files.example.test/share/y.exe", false},
                         {"https://files.example.test/", false},
                         {"files.example.test", false}});
}

TEST_CASE("URLhaus CSV without the header comment: column 3 is the URL") {
    auto set = parse(ListFormat::urlhaus_csv, "\"9\",\"2026-01-01\",\"http://evil.test/a\",\"online\"\n");
    CHECK(blocks_url(*set, "http://evil.test/a"));
}

TEST_CASE("PhishTank CSV: plain header, quoted URLs with commas, phishing category") {
    const char* text = R"(phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target
1234567,http://login.example.test/x,http://www.phishtank.com/phish_detail.php?phish_id=1234567,2026-01-01T06:00:00+00:00,yes,2026-01-01T06:06:06+00:00,yes,Other
1234568,"http://pay.example.test/a,b?c=""d""",http://www.phishtank.com/x,2026,yes,2026,yes,Bank
)";
    LoadReport r;
    auto set = parse(ListFormat::phishtank_csv, text, &r);
    CHECK((r.entries == 2 && r.data_lines == 2 && r.invalid == 0));
    auto u = canonicalize_url("http://login.example.test/x");
    auto m = set->match_url(*u, kAllCategories);
    REQUIRE(m);
    CHECK(m->category == Category::phishing);
    CHECK(m->entry == "login.example.test/x");
    CHECK(blocks_url(*set, "http://pay.example.test/a,b?c=\"d\""));
    CHECK_FALSE(set->match_url(*u, bit(Category::malicious)));  // CheckPhishing off
}

TEST_CASE("domain lists: suffix matching, *.name and .name, exact lists") {
    auto set = parse(ListFormat::domains, "# comment\nEvil.Test\n*.wild.test\n.dot.test   # trailing\n\n");
    // A name with many labels is still caught by its blocked parent.
    expect_blocks(*set, {{"evil.test", true}, {"a.b.evil.test", true}, {"x.wild.test", true}, {"dot.test", true},
                         {"a.b.c.d.e.f.g.h.i.j.k.evil.test", true}, {"notevil.test", false}, {"test", false}});
    ListSetBuilder b;
    ListSpec s = spec(ListFormat::domains);
    s.suffix = false;
    parse_list_text(b, s, "exact.test\n*.below.test\n", "inline");
    auto exact = b.finish();
    expect_blocks(*exact, {{"exact.test", true}, {"www.exact.test", false}, {"www.below.test", true}});
}

TEST_CASE("IP and CIDR lists: longest prefix, IPv6, mapped addresses, Spamhaus comments") {
    auto set = parse(ListFormat::ips, "192.0.2.0/24 ; SBL1\n198.51.100.7\n2001:db8::/32\n::ffff:203.0.113.9\n");
    auto ip = [](const char* t) { return *vigil::common::parse_ip_address(t); };
    auto m = set->match_ip(ip("192.0.2.200"), kAllCategories);
    REQUIRE(m);
    CHECK(m->entry == "192.0.2.0/24");
    CHECK(set->match_ip(ip("198.51.100.7"), kAllCategories));
    CHECK_FALSE(set->match_ip(ip("198.51.100.8"), kAllCategories));
    CHECK(set->match_ip(ip("2001:db8:1::5"), kAllCategories));
    CHECK(set->match_ip(ip("203.0.113.9"), kAllCategories));
    CHECK(set->match_ip(ip("::ffff:198.51.100.7"), kAllCategories));
    // The entries themselves, for the kernel's address sets; mapped ones as IPv4.
    std::vector<std::string> texts;
    for (const auto& p : set->ip_prefixes(kAllCategories)) texts.push_back(p.text());
    CHECK(texts == std::vector<std::string>{"192.0.2.0/24", "198.51.100.7", "2001:db8::/32", "203.0.113.9"});
    CHECK(set->ip_prefixes(bit(Category::phishing)).empty());  // the list is malicious
}

TEST_CASE("IP entries of an abandoned list leave the address sets too") {
    ListSetBuilder b;
    parse_list_text(b, spec(ListFormat::ips), "192.0.2.1\n", "kept");
    ListSpec second = spec(ListFormat::ips);
    second.category = Category::phishing;
    parse_list_text(b, second, "198.51.100.1\n", "dropped");
    b.abandon_list();
    const auto set = b.finish();
    REQUIRE(set->ip_prefixes(kAllCategories).size() == 1);
    CHECK(set->ip_prefixes(kAllCategories)[0].text() == "192.0.2.1");
}

TEST_CASE("malformed lines are named by file and line; a mostly malformed list is refused") {
    LoadReport r;
    std::string text = "# list\n";
    for (int i = 0; i < 20; ++i) text += "ok" + std::to_string(i) + ".test\n";
    text += "bad domain!\n";
    auto set = parse(ListFormat::domains, text, &r);
    CHECK(r.invalid == 1);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0] == "inline:22: 'bad domain!' is not a domain name: character ' ' is not allowed in a host name");
    CHECK(set->domain_count() == 20);
    ListSetBuilder b;
    try {
        parse_list_text(b, spec(ListFormat::hosts), "0.0.0.0 ok.test\nnot a hosts line\nalso-bad\n", "feed.txt");
        FAIL("a list of mostly bad lines was accepted");
    } catch (const ListError& e) {
        CHECK(std::string(e.what()) ==
              "list 'test' (hosts): 2 of 3 lines are malformed, the first: feed.txt:2: 'not' is not an IP address");
    }
}

TEST_CASE("hosts files: localhost entries and real mappings are not block entries") {
    LoadReport r;
    auto set = parse(ListFormat::hosts,
                     "127.0.0.1 localhost\n::1 localhost ip6-loopback\n255.255.255.255 broadcasthost\n"
                     "192.168.1.10 nas.home\n0.0.0.0 ads.test tracker.test # two on one line\n", &r);
    CHECK(r.invalid == 0);
    CHECK(set->domain_count() == 2);
    CHECK(blocks_host(*set, "tracker.test"));
    CHECK_FALSE(blocks_host(*set, "nas.home"));
    CHECK_FALSE(blocks_host(*set, "localhost"));
}

TEST_CASE("list files: missing, a directory, a FIFO, too large, NUL bytes, overlong lines") {
    vigil::testing::TempDir dir;
    ListSetBuilder b;
    auto load = [&](const fs::path& p, uint64_t max = 1 << 20) {
        return load_list_file(b, spec(ListFormat::domains, p.string()), max);
    };
    CHECK_THROWS_WITH_AS(load(dir.path() / "missing"),
                         ("list 'test': " + (dir.path() / "missing").string() + ": No such file or directory").c_str(),
                         ListError);
    CHECK_THROWS_WITH_AS(load(dir.path()), doctest::Contains("not a regular file"), ListError);
    const fs::path fifo = dir.path() / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(load(fifo), doctest::Contains("not a regular file"), ListError);
    const fs::path big = dir.path() / "big";
    std::ofstream(big) << std::string(2000, 'a') << "\n";
    CHECK_THROWS_WITH_AS(load(big, 1000), doctest::Contains("larger than the limit of 1000 bytes"), ListError);
    const fs::path mixed = dir.path() / "mixed";
    {
        std::ofstream f(mixed, std::ios::binary);
        for (int i = 0; i < 30; ++i) f << "d" << i << ".test\n";
        f << std::string(kMaxLineBytes + 5, 'x') << "\n" << std::string("nul\0byte.test\n", 14) << "last.test";
    }
    auto r = load(mixed);
    CHECK(r.entries == 31);
    CHECK(r.invalid == 2);
    CHECK(r.problems[0] == mixed.string() + ":31: line longer than 16384 bytes");
    CHECK(r.problems[1] == mixed.string() + ":32: a NUL byte (not a text list)");
}
