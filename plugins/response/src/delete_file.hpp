// delete_file: checks that a path may be deleted (regular file, not
// protected, not the agent's own, expected SHA-256), then hands it to the
// host's quarantine/backup store, which moves it away (that is the delete).
// The path is resolved once, without following a symbolic link in any
// component; the checks and the store work on that directory descriptor and
// the checked object (device, inode, size, mtime, ctime), so a swap of any
// directory after the checks can never redirect the delete.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <vigil/common/safe_fs.hpp>

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
    common::FileRef ref;  // the checked object, for the store
};

// Puts the checked object into the backup store and removes it (the host's
// quarantine_put_at); returns the store entry JSON or throws std::exception.
using QuarantinePut = std::function<std::string(const common::FileRef& ref)>;

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
