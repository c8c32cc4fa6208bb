// One direction of an intercepted connection's relay, pumped by the event
// loop with edge-triggered readiness: the bytes go from one socket to the
// other through a userspace buffer while they must be seen (HTTP requests
// through the inspector, what the verdict held back) and through a pipe with
// splice() once they are opaque (TLS, tunnels, responses). The buffer is
// always written before the pipe is filled, so the order of bytes holds.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "inspector.hpp"
#include "loop_task.hpp"
#include "splice_pipe.hpp"

namespace vigil::web_threat {

struct Flow {
    Side* from = nullptr;
    Side* to = nullptr;
    std::string buf;                          // to write before anything in the pipe
    Pipe pipe;                                // once the bytes are opaque
    ConnectionInspector* inspect = nullptr;   // HTTP: the client's bytes go through it
    bool no_pipe = false;                     // none could be made: copy through buf
    bool eof = false, shut = false;
};

enum class FlowStatus : unsigned char {
    idle,     // waits for readiness
    more,     // stopped with work left (fairness budget): run again soon
    error,    // a socket failed: end the connection
    blocked,  // the inspector refused a request (its response is ready)
};

// Moves what readiness allows, up to a budget of rounds. `cap` bounds the
// userspace buffer; `scratch` is the loop's read buffer. With `read` false,
// only what is held is written (before a block response).
FlowStatus pump(Flow& f, PipePool& pipes, std::span<char> scratch, size_t cap, bool read = true);

// After a block response: closing with unread client bytes would reset the
// connection and could destroy the response before the client reads it, so
// what the client still sends (a request body) is read and dropped. False
// once the client closed or failed, or 256 KiB (`drained`, kept by the
// caller) went this way.
bool drain(Side& client, std::span<char> scratch, size_t& drained);

}  // namespace vigil::web_threat
