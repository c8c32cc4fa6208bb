#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <fstream>
#include <stdexcept>

#include "agent_scope.hpp"
#include "central_allowance.hpp"
#include "connection_cutter.hpp"
#include "private_netns.hpp"
#include "resolvers.hpp"
#include "state_store.hpp"

using namespace vigil::isolation;

TEST_CASE("isolation: the agent's cgroup comes from the 0:: line of /proc/self/cgroup") {
    CHECK(cgroup_of_proc_text("0::/system.slice/vigild.service\n") == "system.slice/vigild.service");
    CHECK(cgroup_of_proc_text("12:cpu:/x\n0::/\n") == "");
    CHECK_THROWS_AS(cgroup_of_proc_text("12:cpu:/x\n"), std::invalid_argument);
    CHECK_THROWS_AS(cgroup_of_proc_text("0::/gone (deleted)\n"), std::invalid_argument);
    const AgentScope self = agent_scope_of_self();
    CHECK(self.uid == uint32_t(::geteuid()));
    // Either a real cgroup or an explanation why only the uid restricts.
    CHECK((!self.cgroup.empty() || !self.warning.empty()));
}

TEST_CASE("isolation: resolvers are the nameserver lines, numeric, without duplicates") {
    CHECK(parse_resolv_conf("# comment\nsearch example.com\nnameserver 192.0.2.53\n"
                            "nameserver  2001:db8::53\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\n"
                            "nameserver dns.example\nnameserver\noptions ndots:2\n") ==
          std::vector<std::string>{"192.0.2.53", "2001:db8::53", "fe80::1"});
    CHECK(parse_resolv_conf("").empty());
    CHECK(parse_resolv_conf(std::string("nameserver 1.2.3.4\0junk", 24)).empty());

    const std::string dir = test::temp_dir();
    std::ofstream(dir + "/resolv.conf") << "nameserver 127.0.0.53\nnameserver 192.0.2.1\n";
    std::ofstream(dir + "/upstream.conf") << "nameserver 198.51.100.53\nnameserver 192.0.2.1\n";
    // A local stub forwards to its upstreams: those are the ones to allow.
    CHECK(system_resolvers({dir + "/resolv.conf", dir + "/upstream.conf"}) ==
          std::vector<std::string>{"192.0.2.1", "198.51.100.53"});
    std::ofstream(dir + "/plain.conf") << "nameserver 192.0.2.1\n";
    CHECK(system_resolvers({dir + "/plain.conf", dir + "/upstream.conf"}) == std::vector<std::string>{"192.0.2.1"});
    CHECK(system_resolvers({dir + "/missing", dir + "/missing"}).empty());
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("isolation: an existing connection keeps an agent allowance only when it is the agent's") {
    Exclusion central = test::central_allowance("system.slice/vigild.service");
    const CgroupIds cg = [](const std::string& p) {
        return p == "system.slice/vigild.service" ? std::set<uint64_t>{77, 78} : std::set<uint64_t>{};
    };
    const auto conn = [](uint64_t cgroup, uint32_t uid) {
        TcpSocket s;
        s.family = AF_INET;
        inet_pton(AF_INET, "10.0.0.1", s.local.data());
        inet_pton(AF_INET, "192.0.2.10", s.remote.data());
        s.local_port = 40000;
        s.remote_port = 8443;
        s.cgroup_id = cgroup;
        s.uid = uid;
        return s;
    };
    CHECK(connection_allowed(conn(77, 0), {central}, cg));
    CHECK(connection_allowed(conn(78, 0), {central}, cg));   // a child cgroup of vigild's
    CHECK(!connection_allowed(conn(99, 0), {central}, cg));  // root elsewhere
    CHECK(!connection_allowed(conn(77, 1000), {central}, cg));  // a user's socket in vigild's cgroup
    central.agent->cgroup.clear();  // root cgroup: the uid decides
    CHECK(connection_allowed(conn(99, 0), {central}, cg));
    CHECK(!connection_allowed(conn(99, 1000), {central}, cg));
}

TEST_CASE("isolation: the DNS snapshot is kept in the state and checked when read back") {
    IsolationState s;
    s.table = "t";
    s.dns_resolvers = std::vector<std::string>{"192.0.2.53", "2001:db8::53"};
    const auto back = state_from_json(state_to_json(s));
    REQUIRE(back.dns_resolvers);
    CHECK(*back.dns_resolvers == *s.dns_resolvers);
    CHECK(!state_from_json(state_to_json(IsolationState{})).dns_resolvers);
    std::string bad = state_to_json(s);
    bad.replace(bad.find("192.0.2.53"), 10, "1.2.3.4 }x");
    CHECK_THROWS_AS(state_from_json(bad), ValidationError);
}
