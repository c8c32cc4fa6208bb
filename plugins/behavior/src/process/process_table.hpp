// pid → process context, with bounded memory under heavy churn: live
// processes are capped (least recently used first out — an evicted one is read
// again from /proc if it shows up), exited processes are kept a short while
// for late events (a socket closed after its owner exited) in a small LRU.
#pragma once

#include "lru_cache.hpp"
#include "process_record.hpp"

#include <memory>
#include <mutex>

namespace vigil::behavior {

class ProcessTable {
public:
    using Ptr = std::shared_ptr<const ProcessRecord>;
    struct Limits {
        size_t max_live = 65536;
        size_t max_exited = 4096;
    };
    explicit ProcessTable(Limits limits) : live_(limits.max_live), exited_(limits.max_exited) {}

    // A process started (exec) or was forked; replaces any previous entry.
    void put(Ptr rec);
    // The live entry, else a recently exited one with that pid, else nullptr.
    Ptr find(int32_t pid);
    // Moves the entry to the exited set and returns it (nullptr when unknown).
    Ptr remove_on_exit(int32_t pid);
    // Puts `with` in place of `expected` (live or exited) only while the entry of its pid
    // is still `expected`: a copy made from an older record never overwrites a newer one
    // (an exec meanwhile). True when replaced.
    bool replace(const Ptr& expected, Ptr with);

    struct Stats {
        size_t live = 0, exited = 0;
        uint64_t evicted_live = 0, evicted_exited = 0;
    };
    Stats stats();

private:
    std::mutex mu_;
    LruCache<int32_t, Ptr> live_;
    LruCache<int32_t, Ptr> exited_;
};

}  // namespace vigil::behavior
