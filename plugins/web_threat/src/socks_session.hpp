// SOCKS4/4a and SOCKS5 CONNECT on a monitored port (1080 by default): the
// requested target is judged before anything goes upstream. SOCKS5 clients
// wait for the server's method choice before they name the target, so the
// worker answers the greeting itself ("no authentication"), judges the
// request, and only then replays a no-auth greeting to the real proxy,
// checks its choice and forwards the request. A client that offers only
// authenticated methods cannot be answered that way: it is judged by the
// proxy's address alone (known gap).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "inspector.hpp"
#include "socks.hpp"

namespace vigil::web_threat {

// The verdict on a SOCKS target (a name or an address).
Inspection judge_socks(const Policy& policy, const SocksTarget& target);

// The refusal a blocked client gets: SOCKS4 "request rejected" (0x5b),
// SOCKS5 "connection not allowed by ruleset" (0x02).
std::string socks_refusal(int version);

// Where a SOCKS exchange stands with the client's bytes so far.
struct SocksStep {
    enum class State : uint8_t { need_more, judged, unsupported, malformed } state = State::need_more;
    std::string reply_to_client;   // SOCKS5: the method choice to send now (once)
    std::optional<Inspection> inspection;
    std::string upstream_greeting;  // SOCKS5: what to send the real proxy first ("" for SOCKS4)
    std::string upstream_rest;      // the request and anything after it
};

// Feeds the client's bytes (all of them so far, from the first); SOCKS5's
// greeting is answered only once (`greeted` tracks it).
SocksStep socks_step(std::string_view bytes, const Policy& policy, bool& greeted);

}  // namespace vigil::web_threat
