#include "task_authorization.hpp"

#include <rapidjson/document.h>
#include <vigil/common/json_parse.hpp>

#include <stdexcept>

namespace vigil::kataedr {
namespace {

constexpr int64_t kClockSkewNs = 300ll * 1000000000;  // a task "created" up to 5 min ahead is accepted

bool has_member(const std::string& json, const char* key) {
    rapidjson::Document d;
    return vigil::common::parse_json_bounded(d, json).empty() && d.IsObject() && d.HasMember(key);
}

std::optional<std::string> check_allowed(const Task& t, const TaskPolicy& p, const std::string& args_json) {
    bool product = false;
    for (const auto& type : product_task_types()) product = product || t.type == type;
    auto dot = t.type.find('.');
    bool listed = p.allowed_types.count(t.type) > 0 ||
                  (!product && dot != std::string::npos && p.allowed_plugins.count(t.type.substr(0, dot)) > 0);
    if (!listed)
        return "task type \"" + t.type + "\" is not in this agent's allowed_tasks" +
               (product ? "" : " (raw <plugin>.<verb> commands run only when listed)");
    if (t.type == "quarantine_restore" && !p.restore_to_any_path && has_member(args_json, "path"))
        return std::string("quarantine_restore to a chosen \"path\" is not allowed on this agent "
                           "(omit path to restore to the original location, or list quarantine_restore:path)");
    return std::nullopt;
}

bool same_json(const std::string& a, const std::string& b) {
    rapidjson::Document da, db;
    // Task arguments come from the server: no recursion, bounded nesting.
    return vigil::common::parse_json_bounded(da, a).empty() && vigil::common::parse_json_bounded(db, b).empty() &&
           da == db;
}

std::optional<std::string> check_signature(const Task& t, const TaskPolicy& p, const std::string& agent_id,
                                           int64_t now_ns) {
    if (!t.signature) return std::string("the task is not signed, and this agent runs only tasks signed with one of its task_signing_keys");
    const TaskSignature& sig = *t.signature;
    if (sig.alg != "ed25519") return "signature algorithm \"" + sig.alg + "\" is not ed25519";
    const vigil::common::Ed25519PublicKey* key = nullptr;
    for (const auto& k : p.signing_keys)
        if (k.key_id == sig.key_id) key = &k;
    if (!key) return "signed with key " + sig.key_id + ", which is not one of this agent's task_signing_keys";
    vigil::common::SignedTaskFields f{t.id, agent_id, t.type, int64_t(t.created_ns), sig.expires_ns, sig.args_json};
    if (!vigil::common::ed25519_verify(*key, vigil::common::task_signing_bytes(f), sig.value))
        return std::string("bad signature: the task was changed after it was signed, or was signed for another agent");
    if (!same_json(sig.args_json, t.args_json)) return std::string("the task's args differ from the signed args");
    if (now_ns > sig.expires_ns) return "the signature expired at " + std::to_string(sig.expires_ns) + " ns";
    if (int64_t(t.created_ns) > now_ns + kClockSkewNs) return std::string("the task is dated in the future");
    return std::nullopt;
}

}  // namespace

const std::vector<std::string>& product_task_types() {
    static const std::vector<std::string> types = {
        "ping",     "get_file", "delete_file", "run_process",         "terminate_process", "ioc_scan",
        "isolate",  "release",  "scan_file",   "set_prevention_list", "quarantine_restore"};
    return types;
}

TaskPolicy make_task_policy(const Settings& s) {
    TaskPolicy p;
    for (const auto& entry : s.allowed_tasks) {
        if (entry == "quarantine_restore:path") {
            p.restore_to_any_path = true;
        } else if (entry.size() > 2 && entry.compare(entry.size() - 2, 2, ".*") == 0) {
            p.allowed_plugins.insert(entry.substr(0, entry.size() - 2));
        } else {
            p.allowed_types.insert(entry);
        }
    }
    for (size_t i = 0; i < s.task_signing_keys.size(); ++i) {
        try {
            p.signing_keys.push_back(vigil::common::load_ed25519_public_key(s.task_signing_keys[i]));
        } catch (const std::exception& e) {
            throw std::invalid_argument("kataedr.task_signing_keys[" + std::to_string(i) + "]: " + e.what());
        }
    }
    return p;
}

std::optional<std::string> authorize_task(const Task& t, const TaskPolicy& policy, const std::string& agent_id,
                                          int64_t now_ns, std::string& args_json) {
    args_json = t.args_json;
    if (!policy.signing_keys.empty()) {
        if (auto why = check_signature(t, policy, agent_id, now_ns)) return why;
        args_json = t.signature->args_json;  // run exactly what was signed
    }
    return check_allowed(t, policy, args_json);
}

}  // namespace vigil::kataedr
