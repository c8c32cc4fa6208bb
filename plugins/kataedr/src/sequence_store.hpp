// A persistent, never-repeating batch sequence. The server deduplicates
// batches on (agent_id, batch_seq), so a number must never be reused for
// different content, even across restarts and crashes. Numbers are reserved
// in blocks: the file always holds a value above every number handed out, so
// one fsync covers `block` batches; a crash only skips numbers.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace vigil::kataedr {

class SequenceStore {
public:
    // Throws std::runtime_error when the file exists but is unreadable/corrupt.
    SequenceStore(std::string path, uint64_t block = 1024);
    uint64_t next();  // thread-safe; first value is 1
    uint64_t peek() const;
    // Makes the next value greater than `value` (e.g. the newest spooled
    // batch, should the sequence file have been lost).
    void ensure_above(uint64_t value);

private:
    void reserve_locked();
    std::string path_;
    uint64_t block_;
    mutable std::mutex mu_;
    uint64_t next_ = 1;
    uint64_t reserved_until_ = 0;  // exclusive bound persisted in the file
};

}  // namespace vigil::kataedr
