#include "vigil/common/sock_diag.hpp"

#include <doctest/doctest.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "vigil/testing/loopback.hpp"

using namespace vigil::common;

TEST_CASE("sock_diag: a request for every TCP socket of a family") {
    const InetDiagRequest r = tcp_diag_request(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, AF_INET6);
    CHECK(r.nlh.nlmsg_len == sizeof r);
    CHECK(r.nlh.nlmsg_type == SOCK_DIAG_BY_FAMILY);
    CHECK(r.nlh.nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
    CHECK(r.req.sdiag_family == AF_INET6);
    CHECK(r.req.sdiag_protocol == IPPROTO_TCP);
    CHECK(r.req.idiag_states == ~0u);
    CHECK(r.req.id.idiag_sport == 0);
}

TEST_CASE("sock_diag: the dump lists a listener of this process, with its port and inode") {
    uint16_t port = 0;
    const int l = vigil::testing::loopback_tcp_socket(port, 1);
    REQUIRE(l >= 0);

    const UniqueFd s = open_sock_diag();
    REQUIRE(s.get() >= 0);
    int found = 0;
    TcpDiagEntry seen;
    const auto r = tcp_diag_request(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, AF_INET);
    const std::string error = inet_diag_exchange(s.get(), r, [&](const inet_diag_msg& m, uint32_t msg_len) {
        CHECK(msg_len >= NLMSG_LENGTH(sizeof(inet_diag_msg)));
        const TcpDiagEntry e = tcp_diag_entry(m);
        if (e.local_port != port || e.state != TCP_LISTEN) return;
        ++found;
        seen = e;
    });
    ::close(l);
    CHECK(error.empty());
    REQUIRE(found == 1);
    CHECK(seen.family == AF_INET);
    CHECK(seen.uid == ::getuid());
    CHECK(seen.inode != 0);
    const uint8_t loopback[4] = {127, 0, 0, 1};
    CHECK(std::memcmp(seen.local.data(), loopback, 4) == 0);
}

TEST_CASE("sock_diag: a refused request returns the kernel's reason") {
    const UniqueFd s = open_sock_diag();
    REQUIRE(s.get() >= 0);
    // Destroying a socket that does not exist: ENOENT as root, EPERM (no CAP_NET_ADMIN)
    // otherwise; either way a text, and the callback never runs.
    auto r = tcp_diag_request(SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, AF_INET);
    r.req.id.idiag_sport = htons(1);
    r.req.id.idiag_dport = htons(1);
    int calls = 0;
    const std::string error =
        inet_diag_exchange(s.get(), r, [&](const inet_diag_msg&, uint32_t) { ++calls; });
    CHECK_FALSE(error.empty());
    CHECK(calls == 0);
}
