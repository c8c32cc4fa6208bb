// Process trees with a detection. The telemetry of such a tree is what an analyst needs
// most, and its owner is the one with a reason to flood the rate limit or to make an
// exclusion match: events of a protected tree bypass both.
//
// A detection (threat event) protects the detected process and, when its parent runs as
// the same user and is not init, the parent too: the shell that launched it, and so the
// commands run next to it. Every descendant of a protected process is protected. Lineage
// is learnt from process_start events (pid → parent, start key), bounded; protection
// lasts `protect_ns` after the last detection of that tree.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>

namespace vigil::kataedr {

class DetectionTrees {
public:
    struct Proc {
        int32_t pid = 0, ppid = 0;
        uint32_t uid = 0;
        uint64_t key = 0;  // process_key (pid + start time)
    };
    explicit DetectionTrees(uint64_t protect_ns = 3600ull * 1000000000ull, size_t max_lineage = 32768,
                            size_t max_protected = 4096)
        : protect_ns_(protect_ns), max_lineage_(max_lineage), max_protected_(max_protected) {}

    // A process started (thread-safe).
    void observe(const Proc& p);
    // A detection names process p (thread-safe).
    void protect(const Proc& p, uint64_t now_ns);
    // True when p or one of its known ancestors is protected (thread-safe; cheap when
    // nothing is).
    bool protects(const Proc& p, uint64_t now_ns);

    size_t protected_count() const;

private:
    struct Node {
        int32_t ppid;
        uint32_t uid;
        uint64_t key;
        std::list<int32_t>::iterator age;
    };
    bool protected_key_locked(uint64_t key, uint64_t now_ns);
    void remember_locked(const Proc& p);
    void protect_key_locked(uint64_t key, uint64_t until);

    const uint64_t protect_ns_;
    const size_t max_lineage_, max_protected_;
    mutable std::mutex mu_;
    std::unordered_map<int32_t, Node> lineage_;  // pid → parent (latest process with that pid)
    std::list<int32_t> lineage_age_;             // oldest first
    std::unordered_map<uint64_t, uint64_t> protected_;  // process key → protected until (ns)
    std::atomic<size_t> protected_size_{0};             // lock-free "nothing is protected"
};

}  // namespace vigil::kataedr
