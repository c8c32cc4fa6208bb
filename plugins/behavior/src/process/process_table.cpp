#include "process_table.hpp"

namespace vigil::behavior {

void ProcessTable::put(Ptr rec) {
    if (!rec) return;
    int32_t pid = rec->info.pid;
    std::lock_guard g(mu_);
    live_.put(pid, std::move(rec));
}

ProcessTable::Ptr ProcessTable::find(int32_t pid) {
    std::lock_guard g(mu_);
    if (auto* p = live_.get(pid)) return *p;
    if (auto* p = exited_.get(pid)) return *p;
    return nullptr;
}

ProcessTable::Ptr ProcessTable::remove_on_exit(int32_t pid) {
    std::lock_guard g(mu_);
    Ptr rec;
    if (auto* p = live_.get(pid)) rec = *p;
    if (!rec) return nullptr;
    auto copy = std::make_shared<ProcessRecord>(*rec);
    copy->exited = true;
    exited_.put(pid, copy);
    live_.erase(pid);
    return copy;
}

bool ProcessTable::replace(const Ptr& expected, Ptr with) {
    if (!expected || !with) return false;
    const int32_t pid = expected->info.pid;
    std::lock_guard g(mu_);
    for (auto* set : {&live_, &exited_}) {
        if (auto* p = set->get(pid); p && *p == expected) {
            *p = std::move(with);
            return true;
        }
    }
    return false;
}

ProcessTable::Stats ProcessTable::stats() {
    std::lock_guard g(mu_);
    return Stats{live_.size(), exited_.size(), live_.evictions(), exited_.evictions()};
}

}  // namespace vigil::behavior
