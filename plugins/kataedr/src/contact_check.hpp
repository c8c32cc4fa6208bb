// One authenticated exchange with the central node on demand, for the bus
// command kataedr.check_contact. Other plugins ask it when they must know
// that the agent reaches its central node NOW (the isolation self-test):
// the connector's passive "last success" can be minutes old, and a bare TCP
// connect proves nothing about who answered.
//
// An exchange is one POST /api/v1/agent/sync over the connector's own TLS
// setup (server certificate verified against server_ca or the pin, client
// certificate when configured). It runs on a worker thread of its own, so a
// slow server never blocks the plugin's executor or the upload lanes.
// Requests arriving while one runs share its result.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connection_state.hpp"
#include "https_channel.hpp"

namespace vigil::kataedr {

struct ContactResult {
    bool ok = false;
    // On failure: the ConnectionState kinds ("connect", "timeout", "proxy",
    // "network", "tls", "protocol") or "http" (the verified server answered
    // with an error status).
    std::string kind;
    std::string server;   // the server that answered, or the last one tried
    std::string message;  // why it failed
    uint64_t time_ns = 0;     // CLOCK_REALTIME when the exchange ended
    uint64_t latency_ms = 0;  // how long it took
    // {"ok":..,"central":..,"time_ns":..,"latency_ms":..[,"kind":..,"error":..]}
    std::string json() const;
};

class ContactCheck {
public:
    using Done = std::function<void(const ContactResult&)>;
    using BodyFn = std::function<std::string()>;

    // `channel` is the connector's configuration (servers, TLS, proxy);
    // `state` records the outcome like any other exchange.
    ContactCheck(std::shared_ptr<const ChannelConfig> channel, ConnectionState* state, BodyFn sync_body);
    ~ContactCheck();
    ContactCheck(const ContactCheck&) = delete;
    ContactCheck& operator=(const ContactCheck&) = delete;

    // Starts an exchange bounded by timeout_ms (per server: connect and
    // answer) unless one is running; `done` is called exactly once, on the
    // worker thread, or at once when stopped.
    void run(uint32_t timeout_ms, Done done);
    // Ends a running exchange (its waiters get a failure) and refuses new ones.
    void stop();
    // Accepts requests again after stop() (a restarted connector).
    void start();

    // Clamps the requested timeout into the connector's own limits (1 s .. 60 s).
    static uint32_t clamp_timeout_ms(int64_t requested_ms);

private:
    void work(uint32_t timeout_ms);
    ContactResult exchange(uint32_t timeout_ms);

    std::shared_ptr<const ChannelConfig> channel_;
    ConnectionState* state_;
    BodyFn sync_body_;
    std::mutex mu_;
    std::vector<Done> waiters_;
    bool running_ = false;
    bool stopped_ = false;
    std::unique_ptr<HttpsChannel> active_;  // guarded by mu_, for stop()
    std::thread worker_;
};

// Parses {"timeout_ms": N} (optional, default 10000); throws
// std::invalid_argument naming what is wrong.
uint32_t parse_contact_args(const std::string& args_json);

}  // namespace vigil::kataedr
