#pragma once
// How many connections the listener holds, in total and per source address, and how many
// of them are still in the TLS handshake (the phase an anonymous peer can stretch). A
// connection gets a Ticket at accept time or is closed at once; the Ticket gives its slots
// back when the connection object goes away.
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vigil::central {

struct ConnectionLimitSettings {
    size_t max_connections = 20000;
    size_t max_per_address = 256;
    size_t max_handshakes = 1024;
    size_t max_handshakes_per_address = 32;
};

class ConnectionLimits {
public:
    explicit ConnectionLimits(ConnectionLimitSettings s) : settings_(s) {}

    class Ticket {
    public:
        Ticket() = default;
        Ticket(ConnectionLimits* owner, std::string address) : owner_(owner), address_(std::move(address)) {}
        Ticket(Ticket&& o) noexcept { *this = std::move(o); }
        Ticket& operator=(Ticket&& o) noexcept;
        ~Ticket() { release(); }
        // The handshake finished (either way): frees the handshake slot.
        void handshake_done();
        const std::string& address() const { return address_; }

    private:
        void release();
        ConnectionLimits* owner_ = nullptr;
        std::string address_;
        bool handshaking_ = true;
    };

    // A ticket for a new connection from `address`, or nothing with the limit that refused it.
    bool admit(const std::string& address, Ticket& ticket, const char*& refused_by);
    size_t connections() const;
    size_t handshakes() const;

private:
    struct Counts {
        size_t connections = 0;
        size_t handshakes = 0;
    };
    void end_handshake(const std::string& address);
    void end_connection(const std::string& address, bool handshaking);

    const ConnectionLimitSettings settings_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Counts> by_address_;
    Counts total_;
};

}  // namespace vigil::central
