#include "task_broker.hpp"

namespace vigil::central {

uint64_t TaskBroker::generation(const std::string& agent_id) {
    std::lock_guard lock(mutex_);
    auto it = generations_.find(agent_id);
    return it == generations_.end() ? 0 : it->second;
}

void TaskBroker::wait(const std::string& agent_id, uint64_t seen_generation,
                      std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    auto& slot = slots_[agent_id];
    if (!slot) slot = std::make_shared<Slot>();
    auto keep = slot;  // the map entry may be replaced while we wait
    ++keep->waiters;
    keep->cv.wait_for(lock, timeout, [&] { return stopping_ || generations_[agent_id] != seen_generation; });
    if (--keep->waiters == 0) {
        auto it = slots_.find(agent_id);
        if (it != slots_.end() && it->second == keep) slots_.erase(it);
    }
}

void TaskBroker::notify(const std::string& agent_id) {
    std::lock_guard lock(mutex_);
    ++generations_[agent_id];
    auto it = slots_.find(agent_id);
    if (it != slots_.end()) it->second->cv.notify_all();
}

uint64_t TaskBroker::begin_poll(const std::string& agent_id) {
    std::lock_guard lock(mutex_);
    const uint64_t ticket = ++latest_poll_[agent_id];
    ++generations_[agent_id];  // wakes the older polls of this agent
    auto it = slots_.find(agent_id);
    if (it != slots_.end()) it->second->cv.notify_all();
    return ticket;
}

bool TaskBroker::superseded(const std::string& agent_id, uint64_t ticket) const {
    std::lock_guard lock(mutex_);
    auto it = latest_poll_.find(agent_id);
    return it != latest_poll_.end() && it->second != ticket;
}

void TaskBroker::shutdown() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, slot] : slots_) slot->cv.notify_all();
}

bool TaskBroker::stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
}

size_t TaskBroker::waiting() const {
    std::lock_guard lock(mutex_);
    return slots_.size();
}

}  // namespace vigil::central
