// One intercepted TCP connection in the worker, as a state machine driven by
// its event loop: the original destination, the client's first bytes (with
// deadlines), the verdict, and only then the non-blocking upstream connect
// (a blocked origin never receives a packet) and the relay both ways. HTTP
// keeps going through the inspector, so every request of a keep-alive
// connection is judged; TLS and other protocols are spliced as they are
// after their one verdict.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "endpoint.hpp"
#include "inspector.hpp"
#include "loop_task.hpp"
#include "relay.hpp"
#include "socket_owner.hpp"
#include "socks_session.hpp"
#include "worker_report.hpp"

namespace vigil::web_threat {

class EventLoop;
class MitmContext;
class MitmSession;

struct ConnectionLimits {
    int first_bytes_ms = 300;   // no byte by then: a server-speaks-first protocol, the address decides
    int head_ms = 10000;        // the whole ClientHello / request head by then, else closed
    int connect_ms = 10000;     // upstream connect
    int block_write_ms = 2000;  // sending the block page or alert, then reading what the client still sends
    size_t buffer_bytes = 256 * 1024;  // per direction
};

struct ConnectionContext {
    Policy policy;
    ConnectionLimits limits;
    uint16_t listen_port = 0;  // a direct connection to the listener itself is dropped (no loop)
    Reporter* reporter = nullptr;
    // Where the client meant to connect; unset: the NAT's original
    // destination (tests without a redirect set their own).
    std::function<std::optional<Endpoint>(int fd)> destination_of;
    MitmContext* mitm = nullptr;  // the encrypted connections scan, when on
};

class Connection final : public LoopTask {
public:
    Connection(EventLoop& loop, uint32_t slot, int client_fd, const ConnectionContext& ctx);
    ~Connection() override;

    void start() override;
    void on_timeout() override;
    bool done() const override { return state_ == State::done; }

private:
    enum class State : uint8_t { sniff, socks, connecting, socks_choice, relay, blocking, draining, mitm, done };

    void advance() override;
    void finish();
    void sniff();
    void verdict(ConnectionInspector::Outcome o);
    void socks();
    void socks_judged(const SocksStep& step);
    void connect_upstream();
    void connecting();
    void socks_choice();
    void start_relay();
    void relay();
    void start_block();
    void blocking();
    void draining();
    void report();
    void report_one(const Inspection& in);
    bool start_mitm(bool blocked);

    EventLoop& loop_;
    const ConnectionContext& ctx_;
    State state_ = State::sniff;
    Flow to_up_, to_client_;
    std::optional<ConnectionInspector> insp_;  // made once the destination is known
    Endpoint client_ep_, dest_;
    bool any_bytes_ = false, greeted_ = false, inspect_http_ = false;
    size_t choice_got_ = 0, drained_ = 0;
    std::string first_;           // what goes upstream first once connected
    std::string socks_in_;        // the SOCKS client's bytes so far
    std::string socks_greeting_;  // SOCKS5: replayed to the real proxy after the connect
    std::string response_;        // the block response still to send
    bool owner_looked_up_ = false;
    std::optional<SocketOwner> owner_;
    std::unique_ptr<MitmSession> mitm_;  // State::mitm: the scan drives the connection
};

// The listener side: intercepted web connections.
TaskFactory web_connections(const ConnectionContext& ctx);

}  // namespace vigil::web_threat
