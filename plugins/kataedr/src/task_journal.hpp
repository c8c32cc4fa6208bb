// Executed tasks, kept in the state directory: the central node delivers a
// task again when its result did not arrive (at-least-once), and the journal
// lets the connector answer a repeat with the stored result instead of
// running the task twice. It is also the durable queue of results that still
// have to be posted (after a restart they are posted again).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vigil::kataedr {

struct JournalEntry {
    std::string id;
    std::string result_body;  // the body for POST .../result
    bool posted = false;
    std::string upload_file;  // get_file payload to PUT before the result
    bool upload_delete = false;
    uint64_t time_ns = 0;
};

class TaskJournal {
public:
    explicit TaskJournal(std::string dir, size_t max_entries = 10000);
    std::optional<JournalEntry> find(const std::string& id) const;
    // Stores durably; throws std::runtime_error when the disk write fails.
    void record(const JournalEntry& e);
    void mark_posted(const std::string& id);
    // Entries whose result was not posted yet, oldest first.
    std::vector<JournalEntry> unposted() const;
    size_t size() const;

private:
    std::string path_of(const std::string& id) const;
    std::optional<JournalEntry> load(const std::string& path) const;
    void prune_locked();
    std::string dir_;
    size_t max_entries_;
    mutable std::mutex mu_;
};

}  // namespace vigil::kataedr
