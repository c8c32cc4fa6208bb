#include "connection_limits.hpp"

namespace vigil::central {

ConnectionLimits::Ticket& ConnectionLimits::Ticket::operator=(Ticket&& o) noexcept {
    if (this != &o) {
        release();
        owner_ = o.owner_;
        address_ = std::move(o.address_);
        handshake_ = std::move(o.handshake_);
        o.owner_ = nullptr;
    }
    return *this;
}

void ConnectionLimits::Ticket::on_evict(Abort abort) {
    if (!owner_) return;
    std::lock_guard lock(owner_->mutex_);
    if (handshake_) handshake_->abort = std::move(abort);
}

void ConnectionLimits::Ticket::handshake_done() {
    if (!owner_) return;
    std::lock_guard lock(owner_->mutex_);
    if (handshake_) owner_->end_handshake_locked(handshake_);
    handshake_.reset();
}

void ConnectionLimits::Ticket::release() {
    if (owner_) owner_->end_connection(*this);
    owner_ = nullptr;
}

const char* ConnectionLimits::refusal(const Counts& mine) const {
    return total_.connections >= settings_.max_connections      ? "server.max_connections"
           : mine.connections >= settings_.max_per_address      ? "server.max_connections_per_address"
           : mine.handshakes >= settings_.max_handshakes_per_address ? "server.max_handshakes_per_address"
                                                                     : nullptr;
}

ConnectionLimits::HandshakeList::iterator ConnectionLimits::victim(size_t mine) {
    for (auto it = handshaking_.begin(); it != handshaking_.end(); ++it) {
        const auto& h = **it;
        if (!h.abort) continue;  // its connection cannot be told yet
        // Strictly more than the newcomer's address holds: after the swap neither address
        // holds more than the victim's did.
        auto counts = by_address_.find(h.address);
        if (counts != by_address_.end() && counts->second.handshakes > mine) return it;
    }
    return handshaking_.end();
}

bool ConnectionLimits::admit(const std::string& address, Ticket& ticket, const char*& refused_by, Abort& evicted) {
    std::lock_guard lock(mutex_);
    Counts& mine = by_address_[address];
    refused_by = refusal(mine);
    if (!refused_by && total_.handshakes >= settings_.max_handshakes) {
        auto v = victim(mine.handshakes);
        if (v == handshaking_.end()) {
            refused_by = "server.max_handshakes";
        } else {
            auto h = *v;
            evicted = std::move(h->abort);
            end_handshake_locked(h);
            ++evictions_;
        }
    }
    if (refused_by) {
        if (mine.connections == 0) by_address_.erase(address);
        return false;
    }
    ++mine.connections, ++mine.handshakes, ++total_.connections, ++total_.handshakes;
    ticket = Ticket();
    ticket.owner_ = this;
    ticket.address_ = address;
    ticket.handshake_ = std::make_shared<Handshake>();
    ticket.handshake_->address = address;
    ticket.handshake_->position = handshaking_.insert(handshaking_.end(), ticket.handshake_);
    return true;
}

void ConnectionLimits::end_handshake_locked(const std::shared_ptr<Handshake>& h) {
    if (h->position == handshaking_.end()) return;  // already ended (evicted)
    handshaking_.erase(h->position);
    h->position = handshaking_.end();
    --total_.handshakes;
    if (auto it = by_address_.find(h->address); it != by_address_.end()) --it->second.handshakes;
}

void ConnectionLimits::end_connection(Ticket& t) {
    std::lock_guard lock(mutex_);
    if (t.handshake_) end_handshake_locked(t.handshake_);
    t.handshake_.reset();
    --total_.connections;
    auto it = by_address_.find(t.address_);
    if (it == by_address_.end()) return;
    if (--it->second.connections == 0) by_address_.erase(it);
}

size_t ConnectionLimits::connections() const {
    std::lock_guard lock(mutex_);
    return total_.connections;
}

size_t ConnectionLimits::handshakes() const {
    std::lock_guard lock(mutex_);
    return total_.handshakes;
}

size_t ConnectionLimits::evictions() const {
    std::lock_guard lock(mutex_);
    return evictions_;
}

}  // namespace vigil::central
