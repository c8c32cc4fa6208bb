// List snapshots (plugin -> worker) and the worker's control messages: a set
// read back answers every lookup as the original; damaged bytes are refused
// with a reason; a snapshot sent over a socket pair is swapped into the
// holder and acknowledged with its generation.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "list_loader.hpp"
#include "list_snapshot.hpp"
#include "worker_control.hpp"

using namespace vigil::web_threat;

namespace {

std::shared_ptr<const ListSet> sample() {
    SentList d, u, i;
    d.spec.name = "bad";
    d.spec.format = ListFormat::domains;
    d.content = "blocked.test\n*.wild.test\n";
    u.spec.name = "phish";
    u.spec.format = ListFormat::urls;
    u.spec.category = Category::phishing;
    u.content = "http://shared.test/bad/\n";
    i.spec.name = "ips";
    i.spec.format = ListFormat::ips;
    i.content = "10.9.0.0/24\n2001:db8::1\n";
    return load_lists({}, {}, {d, u, i}, 1 << 20, false).set;
}

vigil::common::IpAddress ip(const char* t) { return *vigil::common::parse_ip_address(t); }

}  // namespace

TEST_CASE("a snapshot read back answers like the set it was made from") {
    const auto set = sample();
    const auto back = read_list_snapshot(write_list_snapshot(*set));
    CHECK(back->domain_count() == set->domain_count());
    CHECK(back->url_count() == 1);
    CHECK(back->ip_count() == 2);
    REQUIRE(back->lists().size() == 3);
    CHECK(back->lists()[1].name == "phish");
    CHECK(back->lists()[1].category == Category::phishing);
    const auto m = back->match_host("a.b.wild.test", kAllCategories);
    REQUIRE(m);
    CHECK(m->entry == "wild.test");
    CHECK(back->match_host("blocked.test", kAllCategories));
    CHECK_FALSE(back->match_host("ok.test", kAllCategories));
    CHECK(back->match_url(*canonicalize_url("http://shared.test/bad/x"), kAllCategories)->category == Category::phishing);
    CHECK(back->match_ip(ip("10.9.0.77"), kAllCategories));
    CHECK(back->match_ip(ip("2001:db8::1"), kAllCategories));
    CHECK_FALSE(back->match_ip(ip("10.9.1.1"), kAllCategories));
    CHECK(back->ip_prefixes(kAllCategories).empty());  // the kernel's sets stay with the plugin
    const auto empty = read_list_snapshot(write_list_snapshot(*ListSetBuilder().finish()));
    CHECK(empty->empty());
    CHECK_FALSE(empty->match_host("blocked.test", kAllCategories));
}

TEST_CASE("a damaged snapshot is refused with the reason") {
    const std::string good = write_list_snapshot(*sample());
    auto refused = [](const std::string& bytes) -> std::string {
        try {
            (void)read_list_snapshot(bytes);
        } catch (const SnapshotError& e) {
            return e.what();
        }
        return "";
    };
    CHECK(refused("") == "snapshot cut short in the header");
    CHECK(refused("VWLSNAP9" + good.substr(8)) == "not a list snapshot (version 1)");
    CHECK(refused(good + "x") == "bytes after the snapshot");
    for (size_t cut = 0; cut < good.size(); cut += 7) CHECK_FALSE(refused(good.substr(0, cut)).empty());
    // A list index beyond the lists, a table without an empty slot.
    std::string bad = good;
    const size_t last_meta = bad.size() - 2;
    size_t flipped = 0;
    for (size_t i = 0; i < 64 && !flipped; ++i) {
        bad = good;
        bad[last_meta - 2 * i + 1] = char(0xff);  // list bits of one IP slot's meta
        if (!refused(bad).empty()) flipped = i + 1;
    }
    CHECK(flipped > 0);
}

TEST_CASE("control: a snapshot over the socket pair is swapped in and acknowledged") {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    ListHolder holder;
    Reporter reporter(sv[1]);
    std::thread t([&] { serve_control(sv[1], holder, reporter); });
    const int fd = snapshot_memfd(write_list_snapshot(*sample()));
    REQUIRE(fd >= 0);
    CHECK(::write(fd, "x", 1) < 0);  // sealed
    const std::string msg = lists_message(7);
    REQUIRE(send_message(sv[0], msg, fd, 0));
    ::close(fd);
    char buf[512];
    const ssize_t n = ::recv(sv[0], buf, sizeof buf, 0);
    REQUIRE(n > 0);
    CHECK(std::string(buf, size_t(n)) == R"({"type":"lists_applied","generation":7,"domains":2,"urls":1,"ips":2})");
    CHECK(holder.get()->match_host("blocked.test", kAllCategories));
    // Without the snapshot: refused, the lists stay.
    REQUIRE(::send(sv[0], msg.data(), msg.size(), 0) == ssize_t(msg.size()));
    const ssize_t n2 = ::recv(sv[0], buf, sizeof buf, 0);
    CHECK(std::string(buf, size_t(n2)) ==
          R"({"type":"lists_failed","generation":7,"message":"no snapshot came with the message"})");
    CHECK(holder.get()->match_host("blocked.test", kAllCategories));
    ::close(sv[0]);  // the plugin's end closed: the thread ends
    t.join();
    ::close(sv[1]);
}
