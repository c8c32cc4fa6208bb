// DNS queries as the worker's forwarder receives them, and the answers it
// gives for blocked names without asking upstream: a sinkhole address (whose
// web ports the worker serves the block page on), 0.0.0.0 / ::, or
// NXDOMAIN. HTTPS/SVCB records of blocked names get no data (no ECH keys, no
// alternative endpoints). Firefox's DoH canary name always gets NXDOMAIN so
// Firefox keeps using the system resolver.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::web_threat {

struct DnsQuery {
    uint16_t id = 0;
    uint16_t flags = 0;
    std::string name;  // lower case, no trailing dot ("" for the root)
    uint16_t qtype = 0, qclass = 0;
    size_t question_end = 0;  // offset just after the question section
};

constexpr uint16_t kDnsA = 1, kDnsAAAA = 28, kDnsSVCB = 64, kDnsHTTPS = 65;

// One standard query (QR 0, opcode QUERY, one question, no answers; an EDNS
// OPT record in the additional section is allowed). False with `why`.
bool parse_dns_query(std::string_view msg, DnsQuery& out, std::string& why);

enum class DnsBlockMode : uint8_t { sinkhole, null, nxdomain };

// The answer to a query for a blocked name (the question copied from `msg`).
std::string dns_block_answer(std::string_view msg, const DnsQuery& q, DnsBlockMode mode,
                             const std::array<uint8_t, 4>& sinkhole = {127, 0, 0, 9});

// DNS over TCP (RFC 7766): every message is preceded by its length (two
// bytes, big endian). The next whole message at the start of `stream`: its
// bytes in `msg` and how many bytes of the stream it took (0: not whole yet).
size_t dns_tcp_frame(std::string_view stream, std::string_view& msg);
// `msg` with its length in front (at most 65,535 bytes).
std::string dns_tcp_framed(std::string_view msg);

// "use-application-dns.net": the name Firefox asks before turning on DoH.
bool is_doh_canary(std::string_view name);

}  // namespace vigil::web_threat
