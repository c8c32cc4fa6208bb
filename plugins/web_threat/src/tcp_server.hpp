// The worker's TCP side: listeners on 127.0.0.1 and ::1 (where the redirect
// sends the monitored ports), one thread per connection with a small stack,
// at most max_connections at once. Past the limit a new connection is reset
// at once instead of queueing behind slow ones: a slow or hostile client
// holds only its own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "connection.hpp"

namespace vigil::web_threat {

struct ServerCounters {
    std::atomic<uint64_t> accepted{0}, refused_busy{0}, active{0};
};

// A listening TCP socket bound to `address` (loopback) and `port`; -1 with
// errno when it cannot be bound (an absent IPv6 stack is not an error of
// the caller's making: it checks errno).
int listen_tcp(const char* address, uint16_t port);
// A UDP socket bound to `address` and `port` (-1 with errno).
int bind_udp(const char* address, uint16_t port);

// Accepts on `listeners` until the process ends.
[[noreturn]] void serve_tcp(const std::vector<int>& listeners, const ConnectionContext& ctx, uint32_t max_connections,
                            ServerCounters& counters);

}  // namespace vigil::web_threat
