// Debian's Squid as the peer baseline of vigil-bench web-threat-traffic:
// started in the bench's private namespace in intercept mode (an nftables
// redirect of one origin port to it, its own traffic excluded by uid), with
// no cache and no log, so the same workload measures an established
// intercepting proxy next to the worker. Install it with
// `apt-get install squid` (the bench reports "not installed" otherwise; the
// package's service need not run).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

namespace vigil::bench {

struct SquidPeer {
    pid_t pid = -1;
    std::string error;  // why it is not running ("not installed", ...)
};

// Squid's intercept port (on every address of the private namespace).
constexpr uint16_t kSquidListen = 3129;

// Starts Squid redirecting local connections to 10.9.0.2:`port` into it;
// returns once `accepts(kSquidListen)` says it takes connections (or with
// `error`). `dir` holds its configuration and files.
SquidPeer start_squid(const std::string& dir, uint16_t port, const std::function<bool(uint16_t)>& accepts);
void stop_squid(SquidPeer& s);

}  // namespace vigil::bench
