// The worker's TCP side: listeners on 127.0.0.1 and ::1 (where the redirect
// sends the monitored ports), served by one event loop per core (at most 4)
// with non-blocking sockets, at most max_connections at once. Past the limit
// a new connection is reset at once instead of queueing behind slow ones: a
// slow or hostile client holds only its own connection's state.
#pragma once

#include <cstdint>
#include <vector>

#include "connection.hpp"
#include "event_loop.hpp"

namespace vigil::web_threat {

// A listening TCP socket bound to `address` (loopback) and `port`; -1 with
// errno when it cannot be bound (an absent IPv6 stack is not an error of
// the caller's making: it checks errno).
int listen_tcp(const char* address, uint16_t port);
// A UDP socket bound to `address` and `port` (-1 with errno).
int bind_udp(const char* address, uint16_t port);

// How many event loops serve the listeners: one per core, at most 4.
unsigned event_loop_count();

// Accepts on `listeners` (web connections, DNS over TCP) until the process
// ends; `pipe_bytes` sizes the splice pipes.
[[noreturn]] void serve_tcp(const std::vector<Listener>& listeners, uint32_t max_connections, ServerCounters& counters,
                            size_t pipe_bytes);

}  // namespace vigil::web_threat
