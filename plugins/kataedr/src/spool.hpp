// The disk spool: sealed telemetry batches waiting for a reachable server.
//
// One file per batch, "<batch_seq, 20 digits>-<events>.gz", holding the exact
// gzip body that will be uploaded, written durably (fsync). Batches leave in
// batch_seq order; when a new batch would exceed the size bound, the oldest
// batches are deleted and their events counted as dropped (the count is
// persisted, so it survives restarts and reaches the central node).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::kataedr {

class Spool {
public:
    struct Entry {
        uint64_t batch_seq = 0;
        uint32_t events = 0;
        uint64_t bytes = 0;
    };

    // Creates the directory when missing and loads what a previous run left.
    Spool(std::string dir, uint64_t max_bytes);

    // Adds a sealed batch (must have a higher batch_seq than any present).
    // Throws std::runtime_error when the disk write fails.
    void push(uint64_t batch_seq, uint32_t events, std::string_view gzip_body);

    std::optional<Entry> front() const;
    // Reads the body of the oldest batch (throws when unreadable).
    std::string read(const Entry& e) const;
    // Removes the batch `batch_seq` after it was delivered.
    void pop(uint64_t batch_seq);
    // Removes an unreadable/rejected batch and counts its events as dropped.
    void discard(uint64_t batch_seq);

    bool empty() const;
    uint64_t newest_seq() const;  // 0 when empty
    size_t batches() const;
    uint64_t bytes() const;
    uint64_t events() const;
    uint64_t dropped_events() const;
    uint64_t dropped_batches() const;
    uint64_t max_bytes() const { return max_bytes_; }

private:
    // A copy of `field`, read under the lock.
    template <class T>
    T locked(const T& field) const {
        std::lock_guard<std::mutex> g(mu_);
        return field;
    }
    std::string path_of(const Entry& e) const;
    void drop_front_locked();
    void save_counters_locked();
    std::string dir_;
    uint64_t max_bytes_;
    mutable std::mutex mu_;
    std::deque<Entry> entries_;
    uint64_t bytes_ = 0;
    uint64_t events_ = 0;
    uint64_t dropped_events_ = 0;
    uint64_t dropped_batches_ = 0;
};

}  // namespace vigil::kataedr
