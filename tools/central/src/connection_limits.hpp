#pragma once
// How many connections the listener holds, in total and per source address, and how many
// of them are still in the TLS handshake (the phase an anonymous peer can stretch). A
// connection gets a Ticket at accept time or is closed at once; the Ticket gives its slots
// back when the connection object goes away.
//
// The handshake slots are shared fairly: when all of them are taken, a newcomer does not
// wait behind whoever filled them. The oldest handshake of an address holding more
// handshakes than the newcomer's address is ended to make room (its connection is told
// through the abort callback it registered). A legitimate handshake takes milliseconds, so
// trickled ones from many addresses cannot keep a new agent out; an address that already
// holds the most slots is the one refused.
#include <cstddef>
#include <functional>
#include <list>
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
    struct Handshake;
    using HandshakeList = std::list<std::shared_ptr<Handshake>>;

public:
    // Ends a connection's handshake when its slot is given to a newcomer; called once,
    // without the limits' lock, from the thread that admits the newcomer.
    using Abort = std::function<void()>;

    explicit ConnectionLimits(ConnectionLimitSettings s) : settings_(s) {}

    class Ticket {
    public:
        Ticket() = default;
        Ticket(Ticket&& o) noexcept { *this = std::move(o); }
        Ticket& operator=(Ticket&& o) noexcept;
        ~Ticket() { release(); }
        // How to end this connection's handshake if its slot is taken (see the top).
        void on_evict(Abort abort);
        // The handshake finished (either way): frees the handshake slot.
        void handshake_done();
        const std::string& address() const { return address_; }

    private:
        friend class ConnectionLimits;
        void release();
        ConnectionLimits* owner_ = nullptr;
        std::string address_;
        std::shared_ptr<Handshake> handshake_;  // null once it finished or was evicted
    };

    // A ticket for a new connection from `address`, or false with the limit that refused it.
    // `evicted` is set when an older handshake had to make room: call it (without locks).
    bool admit(const std::string& address, Ticket& ticket, const char*& refused_by, Abort& evicted);
    size_t connections() const;
    size_t handshakes() const;
    size_t evictions() const;

private:
    struct Counts {
        size_t connections = 0;
        size_t handshakes = 0;
    };
    struct Handshake {
        std::string address;
        HandshakeList::iterator position;
        Abort abort;
    };
    const char* refusal(const Counts& mine) const;
    // The handshake to end for a newcomer whose address holds `mine` of them, or none.
    HandshakeList::iterator victim(size_t mine);
    void end_handshake_locked(const std::shared_ptr<Handshake>& h);
    void end_connection(Ticket& t);

    const ConnectionLimitSettings settings_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Counts> by_address_;
    Counts total_;
    HandshakeList handshaking_;  // oldest first
    size_t evictions_ = 0;
};

}  // namespace vigil::central
