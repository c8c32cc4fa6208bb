// delete_file: checks that a path may be deleted (regular file, not
// protected, not the agent's own, expected SHA-256), then hands it to the
// host's quarantine/backup store, which moves it away (that is the delete).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "get_file.hpp"
#include "path_rules.hpp"

namespace vigil::response {

// What belongs to the running agent and must never be deleted by a task.
struct AgentFiles {
    std::vector<std::string> dirs;                      // state dir, plugin dirs (and all beneath)
    std::vector<std::string> files;                     // the vigild executable, ...
    std::vector<std::pair<uint64_t, uint64_t>> inodes;  // (dev, ino) of those files

    // From the agent section JSON (state_dir, plugin_dir string or list,
    // control_socket), this plugin's state dir and /proc/self/exe.
    static AgentFiles discover(const std::string& agent_config_json, const std::string& plugin_state_dir);
    void add_file(const std::string& path);
    void add_dir(const std::string& path);
};

struct DeleteRequest {
    std::string path;
    std::optional<std::string> sha256;  // lower-case hex
};

struct DeleteCheck {
    FileFacts facts;  // sha256 filled only when an expected hash was checked
    uint64_t hard_links = 1;
};

// Puts `path` into the backup store and removes it; returns the store entry
// JSON or throws std::exception with the reason.
using QuarantinePut = std::function<std::string(const std::string& path)>;

// Refusals throw ActionError naming the reason. No side effects.
DeleteCheck check_deletable(const DeleteRequest& req, const PathRules& rules, const AgentFiles& agent,
                            uint64_t hash_max_file_size, const std::atomic<bool>* cancel);

struct DeleteOutcome {
    DeleteCheck check;
    std::string backup_entry_json;  // from the store
    std::string backup_id;
};

// check_deletable + put; throws ActionError.
DeleteOutcome delete_file(const DeleteRequest& req, const PathRules& rules, const AgentFiles& agent,
                          uint64_t hash_max_file_size, const std::atomic<bool>* cancel,
                          const QuarantinePut& put);

}  // namespace vigil::response
