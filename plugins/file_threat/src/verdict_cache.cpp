#include "verdict_cache.hpp"

namespace vigil::file_threat {

FileStamp FileStamp::of(const struct stat& st) {
    FileStamp s;
    s.dev = uint64_t(st.st_dev);
    s.ino = uint64_t(st.st_ino);
    s.mtime_sec = st.st_mtim.tv_sec;
    s.mtime_nsec = st.st_mtim.tv_nsec;
    s.ctime_sec = st.st_ctim.tv_sec;
    s.ctime_nsec = st.st_ctim.tv_nsec;
    s.size = uint64_t(st.st_size);
    return s;
}

std::optional<CachedVerdict> VerdictCache::lookup(const FileStamp& stamp, uint64_t generation) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = map_.find(Key{stamp.dev, stamp.ino});
    if (it == map_.end()) {
        misses_.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
    }
    if (!it->second.stamp.same_version(stamp) || it->second.generation != generation) {
        lru_.erase(it->second.lru);
        map_.erase(it);
        misses_.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second.verdict;
}

void VerdictCache::store(const FileStamp& stamp, uint64_t generation, CachedVerdict verdict) {
    if (capacity_ == 0) return;
    std::lock_guard<std::mutex> g(mu_);
    Key k{stamp.dev, stamp.ino};
    auto it = map_.find(k);
    if (it != map_.end()) {
        it->second.stamp = stamp;
        it->second.generation = generation;
        it->second.verdict = std::move(verdict);
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return;
    }
    while (map_.size() >= capacity_ && !lru_.empty()) {
        map_.erase(lru_.back());
        lru_.pop_back();
    }
    lru_.push_front(k);
    map_.emplace(k, Entry{stamp, generation, std::move(verdict), lru_.begin()});
}

void VerdictCache::invalidate(uint64_t dev, uint64_t ino) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = map_.find(Key{dev, ino});
    if (it == map_.end()) return;
    lru_.erase(it->second.lru);
    map_.erase(it);
}

void VerdictCache::clear() {
    std::lock_guard<std::mutex> g(mu_);
    map_.clear();
    lru_.clear();
}

size_t VerdictCache::size() const {
    std::lock_guard<std::mutex> g(mu_);
    return map_.size();
}

}  // namespace vigil::file_threat
