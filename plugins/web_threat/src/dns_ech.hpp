// ECH keys out of forwarded DNS answers (F15): an HTTPS (65) or SVCB (64)
// record's `ech` SvcParam (key 5) would let the browser encrypt its real
// ClientHello behind the provider's public name, so SNI blocking would see
// only that name. The forwarder removes the param from every such record in
// every section, fixes RDLENGTH and every later compression pointer, and
// leaves all other bytes as they were. An answer it cannot walk (bad names,
// params that do not tile the RDATA, a pointer that is not backward or
// points into removed bytes) is never forwarded half-rewritten: the client
// gets SERVFAIL instead (dns_servfail).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::web_threat {

struct EchStrip {
    // truncated: an answer cut short (TC) that does not walk to its end; the
    // client gets its header and question, TC kept, and asks over TCP.
    enum class Result : uint8_t { unchanged, stripped, truncated, malformed } result = Result::unchanged;
    uint32_t records = 0;  // records that lost their ech param
    std::string why;       // when malformed
};

// `answer` as the client may get it (in `out` when stripped or truncated;
// `out` is untouched otherwise).
EchStrip strip_ech(std::string_view answer, std::string& out);

// SERVFAIL for the message `msg` (a query or an answer): its id, opcode and
// RD, and its question when it has one that parses; "" when `msg` is
// shorter than a header.
std::string dns_servfail(std::string_view msg);

}  // namespace vigil::web_threat
