#include "detection_trees.hpp"

namespace vigil::kataedr {

namespace {
constexpr int kMaxDepth = 32;
}

void DetectionTrees::remember_locked(const Proc& p) {
    if (p.pid <= 0) return;
    auto it = lineage_.find(p.pid);
    if (it != lineage_.end()) {
        lineage_age_.erase(it->second.age);
        lineage_.erase(it);
    }
    lineage_age_.push_back(p.pid);
    lineage_.emplace(p.pid, Node{p.ppid, p.uid, p.key, std::prev(lineage_age_.end())});
    while (lineage_.size() > max_lineage_) {
        lineage_.erase(lineage_age_.front());
        lineage_age_.pop_front();
    }
}

void DetectionTrees::observe(const Proc& p) {
    std::lock_guard g(mu_);
    remember_locked(p);
}

void DetectionTrees::protect_key_locked(uint64_t key, uint64_t until) {
    if (key == 0) return;
    if (protected_.size() >= max_protected_ && !protected_.count(key)) {
        // Full: forget the entry that expires first.
        auto oldest = protected_.begin();
        for (auto it = protected_.begin(); it != protected_.end(); ++it)
            if (it->second < oldest->second) oldest = it;
        protected_.erase(oldest);
    }
    protected_[key] = until;
    protected_size_ = protected_.size();
}

void DetectionTrees::protect(const Proc& p, uint64_t now_ns) {
    std::lock_guard g(mu_);
    remember_locked(p);
    const uint64_t until = now_ns + protect_ns_;
    protect_key_locked(p.key, until);
    if (p.ppid <= 1) return;
    auto parent = lineage_.find(p.ppid);
    if (parent != lineage_.end() && parent->second.uid == p.uid) protect_key_locked(parent->second.key, until);
}

bool DetectionTrees::protected_key_locked(uint64_t key, uint64_t now_ns) {
    auto it = protected_.find(key);
    if (it == protected_.end()) return false;
    if (it->second > now_ns) return true;
    protected_.erase(it);
    protected_size_ = protected_.size();
    return false;
}

bool DetectionTrees::protects(const Proc& p, uint64_t now_ns) {
    if (protected_size_.load(std::memory_order_relaxed) == 0) return false;
    std::lock_guard g(mu_);
    if (protected_key_locked(p.key, now_ns)) return true;
    int32_t pid = p.ppid;
    for (int depth = 0; depth < kMaxDepth && pid > 1; ++depth) {
        auto it = lineage_.find(pid);
        if (it == lineage_.end()) return false;
        if (protected_key_locked(it->second.key, now_ns)) return true;
        if (it->second.ppid == pid) return false;
        pid = it->second.ppid;
    }
    return false;
}

size_t DetectionTrees::protected_count() const {
    std::lock_guard g(mu_);
    return protected_.size();
}

}  // namespace vigil::kataedr
