// The worker's DNS side: the redirect sends every UDP query to port 53 here.
// A query for a listed name is answered at once (sinkhole address, 0.0.0.0 /
// ::, or NXDOMAIN; no data for HTTPS/SVCB) and reported; Firefox's DoH
// canary gets NXDOMAIN; everything else goes to the configured upstream
// resolvers (tried in turn) and their answer back to the client. At most
// max_inflight queries wait for upstream at once; more are dropped (the
// client retries). UDP is served by one event loop (dns_udp.hpp), TCP by
// the connection event loops (dns_tcp.hpp). Answers lose their ECH keys
// on the way back (dns_ech.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "dns_message.hpp"
#include "endpoint.hpp"
#include "inspector.hpp"
#include "worker_report.hpp"

namespace vigil::web_threat {

struct DnsConfig {
    std::vector<Endpoint> upstreams;
    DnsBlockMode mode = DnsBlockMode::sinkhole;
    int timeout_ms = 2000;
    uint32_t max_inflight = 256;
    bool strip_ech = true;  // dns_strip_ech (dns_ech.hpp)
};

// What the forwarder does with one query: an answer now, or forward it.
struct DnsStep {
    bool answer_now = false;
    std::string answer;  // when answer_now ("" = drop the query)
    std::optional<Inspection> inspection;  // a listed name (blocked or notified)
};
DnsStep judge_dns_query(std::string_view msg, const Policy& policy, DnsBlockMode mode);

// What the client gets for an upstream `answer` to `query` (the query may
// be "" when not kept): with strip_ech, the answer without ECH keys (a view
// of `answer` or of `scratch`), reported as {"type":"dns","event":
// "ech_stripped","records":N}; SERVFAIL (reported as "servfail") when the
// answer cannot be walked, so no half-rewritten answer is forwarded.
std::string_view client_answer(std::string_view answer, std::string_view query, const DnsConfig& config,
                               Reporter* reporter, std::string& scratch);

// Serves the bound UDP sockets until the process ends (DnsUdpForwarder).
[[noreturn]] void serve_dns(const std::vector<int>& sockets, const Policy& policy, const DnsConfig& config,
                            Reporter* reporter);

}  // namespace vigil::web_threat
