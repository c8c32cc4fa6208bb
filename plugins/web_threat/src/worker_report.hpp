// What the worker tells the plugin, one JSON object per datagram on a
// SOCK_SEQPACKET socket pair: {"type":"ready"} once it intercepts, and a
// {"type":"verdict",...} for every connection or request that matched a
// block list (blocked, or let through in notify mode) or was refused as
// malformed. The worker never waits for the plugin: when the socket is full
// the report is dropped and counted (the next report carries the count).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "endpoint.hpp"
#include "inspector.hpp"
#include "socket_owner.hpp"

namespace vigil::web_threat {

const char* protocol_name(Inspection::Protocol p);

// The verdict report of one decision; `enforce` is action_on_detect: block.
// `owner`: the client socket's uid and inode when known.
std::string verdict_report(const Inspection& in, const Endpoint& client, const Endpoint& destination,
                           uint64_t dropped_before, const SocketOwner* owner = nullptr);

// Whether a decision is worth a report (a list matched, or refused).
bool reportable(const Inspection& in);

class Reporter {
public:
    explicit Reporter(int fd) : fd_(fd) {}
    // Sends one report without blocking; false (and counted) when it could not.
    bool send(std::string_view json);
    uint64_t dropped() const { return dropped_.load(); }

private:
    int fd_;
    std::atomic<uint64_t> dropped_{0};
};

}  // namespace vigil::web_threat
