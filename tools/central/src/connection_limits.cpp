#include "connection_limits.hpp"

namespace vigil::central {

ConnectionLimits::Ticket& ConnectionLimits::Ticket::operator=(Ticket&& o) noexcept {
    if (this != &o) {
        release();
        owner_ = o.owner_;
        address_ = std::move(o.address_);
        handshaking_ = o.handshaking_;
        o.owner_ = nullptr;
    }
    return *this;
}

void ConnectionLimits::Ticket::handshake_done() {
    if (owner_ && handshaking_) owner_->end_handshake(address_);
    handshaking_ = false;
}

void ConnectionLimits::Ticket::release() {
    if (owner_) owner_->end_connection(address_, handshaking_);
    owner_ = nullptr;
}

bool ConnectionLimits::admit(const std::string& address, Ticket& ticket, const char*& refused_by) {
    std::lock_guard lock(mutex_);
    Counts& mine = by_address_[address];
    refused_by = total_.connections >= settings_.max_connections ? "server.max_connections"
                 : mine.connections >= settings_.max_per_address ? "server.max_connections_per_address"
                 : total_.handshakes >= settings_.max_handshakes ? "server.max_handshakes"
                 : mine.handshakes >= settings_.max_handshakes_per_address
                     ? "server.max_handshakes_per_address"
                     : nullptr;
    if (refused_by) {
        if (mine.connections == 0) by_address_.erase(address);
        return false;
    }
    ++mine.connections, ++mine.handshakes, ++total_.connections, ++total_.handshakes;
    ticket = Ticket(this, address);
    return true;
}

void ConnectionLimits::end_handshake(const std::string& address) {
    std::lock_guard lock(mutex_);
    --total_.handshakes;
    if (auto it = by_address_.find(address); it != by_address_.end()) --it->second.handshakes;
}

void ConnectionLimits::end_connection(const std::string& address, bool handshaking) {
    std::lock_guard lock(mutex_);
    --total_.connections;
    if (handshaking) --total_.handshakes;
    auto it = by_address_.find(address);
    if (it == by_address_.end()) return;
    --it->second.connections;
    if (handshaking) --it->second.handshakes;
    if (it->second.connections == 0) by_address_.erase(it);
}

size_t ConnectionLimits::connections() const {
    std::lock_guard lock(mutex_);
    return total_.connections;
}

size_t ConnectionLimits::handshakes() const {
    std::lock_guard lock(mutex_);
    return total_.handshakes;
}

}  // namespace vigil::central
