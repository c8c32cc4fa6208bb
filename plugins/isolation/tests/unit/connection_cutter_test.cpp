#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "central_allowance.hpp"
#include "connection_cutter.hpp"
#include "json_input.hpp"
#include "private_netns.hpp"
#include "vigil/testing/loopback.hpp"

using namespace vigil::isolation;

namespace {

TcpSocket conn(const char* local, uint16_t lport, const char* remote, uint16_t rport, bool inbound,
               uint64_t cgroup = 0) {
    TcpSocket s;
    s.family = std::string(remote).find(':') != std::string::npos ? AF_INET6 : AF_INET;
    inet_pton(s.family, local, s.local.data());
    inet_pton(s.family, remote, s.remote.data());
    s.local_port = lport;
    s.remote_port = rport;
    s.inbound = inbound;
    s.cgroup_id = cgroup;
    return s;
}

std::vector<Exclusion> allowances(const char* json) {
    auto d = parse_json_object(std::string("{\"x\":") + json + "}", "t");
    return parse_exclusion_list(d["x"], "x");
}

}  // namespace

TEST_CASE("isolation: which existing connections the rules allow") {
    const auto a = allowances(R"([
        {"direction":"outbound","protocol":6,"remote_address":"192.0.2.10","remote_ports":8443},
        {"direction":"inbound","protocol":"tcp","local_ports":"22"},
        {"direction":"both","remote_address":"198.51.100.0/24"},
        {"direction":"outbound","protocol":17,"remote_ports":53},
        {"direction":"both","remote_address":"2001:db8::/32"},
        {"cgroup":"system.slice/backup.service"}])");
    const CgroupIds cg = [](const std::string& p) {
        return p == "system.slice/backup.service" ? std::set<uint64_t>{4242, 4243} : std::set<uint64_t>{};
    };
    // Outbound to the central node on its port, not on another port, not as inbound.
    CHECK(connection_allowed(conn("10.0.0.1", 40000, "192.0.2.10", 8443, false), a, cg));
    CHECK(!connection_allowed(conn("10.0.0.1", 40000, "192.0.2.10", 8444, false), a, cg));
    CHECK(!connection_allowed(conn("10.0.0.1", 8443, "192.0.2.10", 40000, true), a, cg));
    // Inbound to local port 22 from anyone; an outbound connection to remote port 22 is not that.
    CHECK(connection_allowed(conn("10.0.0.1", 22, "203.0.113.5", 50000, true), a, cg));
    CHECK(!connection_allowed(conn("10.0.0.1", 50000, "203.0.113.5", 22, false), a, cg));
    // Both directions by CIDR, IPv4 and IPv6, also through a v4-mapped IPv6 socket.
    CHECK(connection_allowed(conn("10.0.0.1", 1234, "198.51.100.77", 80, false), a, cg));
    CHECK(connection_allowed(conn("10.0.0.1", 80, "198.51.100.77", 1234, true), a, cg));
    CHECK(connection_allowed(conn("::ffff:10.0.0.1", 1234, "::ffff:198.51.100.77", 80, false), a, cg));
    CHECK(connection_allowed(conn("2001:db8:1::1", 1234, "2001:db8:2::2", 80, false), a, cg));
    CHECK(!connection_allowed(conn("2001:db9::1", 1234, "2001:db9::2", 80, false), a, cg));
    // A UDP-only allowance never keeps a TCP connection.
    CHECK(!connection_allowed(conn("10.0.0.1", 1234, "203.0.113.9", 53, false), a, cg));
    // Processes in the excluded cgroup (or below) keep theirs.
    CHECK(connection_allowed(conn("10.0.0.1", 1234, "203.0.113.9", 443, false, 4243), a, cg));
    CHECK(!connection_allowed(conn("10.0.0.1", 1234, "203.0.113.9", 443, false, 1), a, cg));
    // Loopback stays.
    CHECK(connection_allowed(conn("127.0.0.1", 1234, "127.0.0.1", 80, false), a, cg));
    CHECK(connection_allowed(conn("::1", 1234, "::1", 80, false), a, cg));
    CHECK(!connection_allowed(conn("10.0.0.1", 1234, "203.0.113.9", 443, false), {}, cg));
}

TEST_CASE("isolation: sock_diag lists connections with direction and cgroup") {
    if (!test::enter_private_netns()) return;
    // A listener and a connection to it on loopback: one inbound, one outbound end.
    uint16_t port = 0;
    int l = vigil::testing::loopback_tcp_socket(port, 4);
    REQUIRE(l >= 0);
    sockaddr_in a = vigil::testing::loopback_address(port);
    int c = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    int s = ::accept(l, nullptr, nullptr);
    REQUIRE(s >= 0);

    const auto conns = list_tcp_connections();
    int inbound = 0, outbound = 0;
    for (const auto& k : conns) {
        if (k.local_port == port && k.inbound) ++inbound;
        if (k.remote_port == port && !k.inbound) ++outbound;
        CHECK(k.cgroup_id != 0);
    }
    CHECK(inbound == 1);
    CHECK(outbound == 1);
    // Loopback connections survive a cut with no allowances at all.
    const auto r = cut_disallowed_connections({}, cgroup_ids_on_host);
    CHECK(r.cut == 0);
    CHECK(r.error.empty());
    CHECK(::write(c, "x", 1) == 1);
    ::close(s);
    ::close(c);
    ::close(l);
}

TEST_CASE("isolation: the agent's connections stay only when the rules were already in force") {
    auto a = allowances(R"([{"direction":"outbound","protocol":6,"remote_address":"198.51.100.5","remote_ports":873}])");
    a.push_back(test::central_allowance("vigil.slice/vigild.service"));
    const CgroupIds cg = [](const std::string& p) {
        return p == "vigil.slice/vigild.service" ? std::set<uint64_t>{77} : std::set<uint64_t>{};
    };
    const TcpSocket agent = conn("10.0.0.1", 40000, "192.0.2.10", 8443, false, 77);
    const TcpSocket backup = conn("10.0.0.1", 40001, "198.51.100.5", 873, false, 5);
    // Re-isolation or agent restart: the agent's flows were opened under the rules.
    CHECK(connection_allowed(agent, allowances_for_cut(a, true), cg));
    CHECK(connection_allowed(backup, allowances_for_cut(a, true), cg));
    // Fresh start: conntrack may not know the agent's flow; it is ended and reopened.
    CHECK(!connection_allowed(agent, allowances_for_cut(a, false), cg));
    CHECK(connection_allowed(backup, allowances_for_cut(a, false), cg));
    CHECK(allowances_for_cut(a, false).size() == 1);
}
