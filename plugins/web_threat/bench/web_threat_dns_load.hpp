// The DNS part of vigil-bench web-threat-traffic: a resolver in the bench
// process (UDP on 10.9.0.2:5353, answers every query with one A record at
// once) asked directly, and the same queries sent to 10.9.0.2:53, which
// the worker's redirect hands to its forwarder, which asks that resolver.
// Alternating rounds give the forwarder's added latency (p50/p99 of
// sequential queries) and the queries per second of 16 clients in parallel
// each way.
#pragma once

#include <cstdint>
#include <string>

namespace vigil::bench {

// The resolver's port (not 53: asking it is not redirected).
constexpr uint16_t kDnsUpstreamPort = 5353;

// Starts the resolver thread; false when the port cannot be bound.
bool start_dns_upstream();

struct DnsLoad {
    std::string json;  // "{...}" with direct, via and added figures
    int errors = 0;    // queries without an answer
};

// `queries` sequential queries per side, then `rate_queries` from 16
// clients per side.
DnsLoad measure_dns(int queries, int rate_queries);

}  // namespace vigil::bench
