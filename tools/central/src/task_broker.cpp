#include "task_broker.hpp"

#include <algorithm>

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

uint64_t TaskBroker::subscribe(const std::string& agent_id, uint64_t seen_generation, Wake wake) {
    uint64_t id = 0;
    {
        std::lock_guard lock(mutex_);
        id = next_subscription_++;
        auto gen = generations_.find(agent_id);
        const bool fired = stopping_ || (gen != generations_.end() ? gen->second : 0) != seen_generation;
        if (!fired) {
            subscribers_[agent_id].push_back({id, std::move(wake)});
            return id;
        }
    }
    wake();
    return id;
}

bool TaskBroker::cancel(const std::string& agent_id, uint64_t subscription) {
    std::lock_guard lock(mutex_);
    auto it = subscribers_.find(agent_id);
    if (it == subscribers_.end()) return false;
    auto& list = it->second;
    auto sub =
        std::find_if(list.begin(), list.end(), [&](const Subscriber& s) { return s.id == subscription; });
    if (sub == list.end()) return false;
    list.erase(sub);
    if (list.empty()) subscribers_.erase(it);
    return true;
}

void TaskBroker::notify(const std::string& agent_id) {
    std::vector<Subscriber> woken;
    {
        std::lock_guard lock(mutex_);
        bump_locked(agent_id, woken);
    }
    for (auto& s : woken) s.wake();
}

void TaskBroker::notify_waiting() {
    std::vector<Subscriber> woken;
    {
        std::lock_guard lock(mutex_);
        std::vector<std::string> agents;
        for (const auto& [agent, slot] : slots_) agents.push_back(agent);
        for (const auto& [agent, subs] : subscribers_) agents.push_back(agent);
        for (const auto& agent : agents) bump_locked(agent, woken);
    }
    for (auto& s : woken) s.wake();
}

uint64_t TaskBroker::begin_poll(const std::string& agent_id) {
    std::vector<Subscriber> woken;
    uint64_t ticket = 0;
    {
        std::lock_guard lock(mutex_);
        ticket = ++latest_poll_[agent_id];
        bump_locked(agent_id, woken);  // wakes the older polls of this agent, waiting or subscribed
    }
    for (auto& s : woken) s.wake();
    return ticket;
}

void TaskBroker::bump_locked(const std::string& agent_id, std::vector<Subscriber>& woken) {
    ++generations_[agent_id];
    auto it = slots_.find(agent_id);
    if (it != slots_.end()) it->second->cv.notify_all();
    if (auto sub = subscribers_.find(agent_id); sub != subscribers_.end()) {
        woken = std::move(sub->second);
        subscribers_.erase(sub);
    }
}

bool TaskBroker::superseded(const std::string& agent_id, uint64_t ticket) const {
    std::lock_guard lock(mutex_);
    auto it = latest_poll_.find(agent_id);
    return it != latest_poll_.end() && it->second != ticket;
}

void TaskBroker::shutdown() {
    std::unordered_map<std::string, std::vector<Subscriber>> woken;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        for (auto& [id, slot] : slots_) slot->cv.notify_all();
        woken.swap(subscribers_);
    }
    for (auto& [id, list] : woken)
        for (auto& s : list) s.wake();
}

bool TaskBroker::stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
}

size_t TaskBroker::waiting() const {
    std::lock_guard lock(mutex_);
    size_t n = slots_.size();
    for (const auto& [id, list] : subscribers_)
        if (!slots_.count(id)) ++n;
    return n;
}

}  // namespace vigil::central
