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

ProcessTable::Stats ProcessTable::stats() {
    std::lock_guard g(mu_);
    return Stats{live_.size(), exited_.size(), live_.evictions(), exited_.evictions()};
}

}  // namespace vigil::behavior
