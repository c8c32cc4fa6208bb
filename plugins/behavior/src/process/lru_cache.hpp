// A bounded map that forgets the least recently used entry when full.
#pragma once

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace vigil::behavior {

template <class K, class V, class Hash = std::hash<K>>
class LruCache {
public:
    explicit LruCache(size_t capacity) : capacity_(capacity ? capacity : 1) {}

    // Returns the value and marks it most recently used, or nullptr.
    V* get(const K& key) {
        auto it = index_.find(key);
        if (it == index_.end()) return nullptr;
        order_.splice(order_.begin(), order_, it->second);
        return &it->second->second;
    }
    void put(const K& key, V value) {
        if (auto it = index_.find(key); it != index_.end()) {
            it->second->second = std::move(value);
            order_.splice(order_.begin(), order_, it->second);
            return;
        }
        order_.emplace_front(key, std::move(value));
        index_.emplace(key, order_.begin());
        while (index_.size() > capacity_) {
            index_.erase(order_.back().first);
            order_.pop_back();
            ++evictions_;
        }
    }
    bool erase(const K& key) {
        auto it = index_.find(key);
        if (it == index_.end()) return false;
        order_.erase(it->second);
        index_.erase(it);
        return true;
    }
    // Visits every entry from the least to the most recently used (putting them back in
    // that order rebuilds the same recency).
    template <class F>
    void for_each_oldest_first(F&& visit) const {
        for (auto it = order_.rbegin(); it != order_.rend(); ++it) visit(it->first, it->second);
    }
    size_t size() const { return index_.size(); }
    size_t capacity() const { return capacity_; }
    size_t evictions() const { return evictions_; }

private:
    size_t capacity_;
    size_t evictions_ = 0;
    std::list<std::pair<K, V>> order_;
    std::unordered_map<K, typename std::list<std::pair<K, V>>::iterator, Hash> index_;
};

}  // namespace vigil::behavior
