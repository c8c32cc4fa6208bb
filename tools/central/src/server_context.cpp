#include "server_context.hpp"

namespace vigil::central {

void ServerContext::add(HttpSession* s, const std::shared_ptr<HttpSession>& p) {
    std::lock_guard lock(mutex_);
    sessions_[s] = p;
}

void ServerContext::remove(HttpSession* s) {
    std::lock_guard lock(mutex_);
    sessions_.erase(s);
}

std::vector<std::shared_ptr<HttpSession>> ServerContext::sessions() {
    std::vector<std::shared_ptr<HttpSession>> out;
    std::lock_guard lock(mutex_);
    out.reserve(sessions_.size());
    for (auto& [raw, weak] : sessions_)
        if (auto s = weak.lock()) out.push_back(std::move(s));
    return out;
}

size_t ServerContext::session_count() {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

}  // namespace vigil::central
