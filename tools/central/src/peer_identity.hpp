#pragma once
// What the transport verified about the other end of a connection. The HTTP server fills it
// for every request from the TLS session (see client_trust.hpp: identify_peer) before the
// API sees the request; nothing in it comes from request headers or the body.
#include <cstdint>
#include <string>

namespace vigil::central {

struct PeerIdentity {
    std::string remote_address;  // peer IP address (audit, throttling); "" when unknown
    bool client_cert = false;    // a client certificate was presented and its chain verified
    bool agent_cert = false;     // ... and the central node's agent CA issued it: agent_id is an identity
    std::string agent_id;        // from the certificate's URI SAN urn:vigil:agent:<id>
    std::string serial;          // certificate serial number, lower-case hex
    int64_t not_after_s = 0;     // certificate expiry (s since the epoch)
};

}  // namespace vigil::central
