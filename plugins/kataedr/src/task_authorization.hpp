// What the central node may make this agent do. A compromised central node or a stolen
// operator token must not mean root on every host, so the agent decides too:
//  - allowed_tasks: only these task types run (default: the product's task types). Raw
//    <plugin>.<verb> commands run only when listed (exactly, or as <plugin>.*), and a
//    quarantine_restore to a `path` of the server's choosing only with "quarantine_restore:path".
//  - task_signing_keys: when set, every task must carry a valid Ed25519 signature by one of
//    these keys over (id, this agent's id, type, created, expiry, args), unexpired; it then
//    runs with exactly the signed args.
#pragma once

#include <vigil/common/task_signature.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "settings.hpp"
#include "task_protocol.hpp"

namespace vigil::kataedr {

struct TaskPolicy {
    std::set<std::string> allowed_types;  // product types and exact <plugin>.<verb>
    std::set<std::string> allowed_plugins;  // from "<plugin>.*"
    bool restore_to_any_path = false;       // "quarantine_restore:path"
    std::vector<vigil::common::Ed25519PublicKey> signing_keys;
};

// The product's task types (the default of allowed_tasks).
const std::vector<std::string>& product_task_types();
// Throws std::invalid_argument naming the setting when a key file is not an Ed25519 public key.
TaskPolicy make_task_policy(const Settings& s);

// nullopt when the task may run (then `args_json` holds the args to run it with), else why
// it is refused.
std::optional<std::string> authorize_task(const Task& t, const TaskPolicy& policy, const std::string& agent_id,
                                          int64_t now_ns, std::string& args_json);

}  // namespace vigil::kataedr
