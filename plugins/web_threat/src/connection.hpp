// One intercepted TCP connection in the worker: the original destination,
// the client's first bytes (with deadlines), the verdict, and only then the
// upstream connection (a blocked origin never receives a packet) and the
// relay both ways. HTTP keeps going through the inspector, so every request
// of a keep-alive connection is judged; TLS and other protocols are relayed
// as they are after their one verdict.
#pragma once

#include <cstdint>
#include <functional>

#include "endpoint.hpp"
#include "inspector.hpp"
#include "worker_report.hpp"

namespace vigil::web_threat {

struct ConnectionLimits {
    int first_bytes_ms = 300;   // no byte by then: a server-speaks-first protocol, the address decides
    int head_ms = 10000;        // the whole ClientHello / request head by then, else closed
    int connect_ms = 10000;     // upstream connect
    int block_write_ms = 2000;  // sending the block page or alert
    size_t buffer_bytes = 256 * 1024;  // per direction
};

struct ConnectionContext {
    Policy policy;
    ConnectionLimits limits;
    uint16_t listen_port = 0;  // a direct connection to the listener itself is dropped (no loop)
    Reporter* reporter = nullptr;
};

// Serves the accepted, non-blocking client socket until both sides are done;
// closes it.
void serve_connection(int client_fd, const ConnectionContext& ctx);

}  // namespace vigil::web_threat
