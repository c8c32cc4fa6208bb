#pragma once

#include <functional>
#include <string>
#include <vector>

#include "action.hpp"

namespace file_threat {

// What an action works on.
struct ActionTarget {
    std::string path;
    bool permission_event = false;  // an open/exec is waiting for our answer
    std::string meta_json;          // detection metadata (JSON object) for the quarantine store
};

struct ActionOutcome {
    Action action = Action::Notify;
    bool ok = false;
    std::string error;         // why it failed
    std::string details_json;  // e.g. the quarantine entry; "{}" when nothing to say
};

struct ActionsResult {
    std::vector<ActionOutcome> attempts;  // first action, then the second one if the first failed
    bool deny_access = true;              // false only when the action that succeeded is `notify`
};

// Carries out one action. The real one (FileActionExecutor) acts on the file
// system and the host's quarantine store.
class ActionExecutor {
public:
    virtual ~ActionExecutor() = default;
    virtual ActionOutcome run(Action action, const ActionTarget& target) = 0;
};

// Runs the first action; when it fails, the second one (unless it is the same).
ActionsResult apply_actions(const ActionPair& actions, ActionExecutor& executor, const ActionTarget& target);

// Executes actions on real files:
//  - block: a waiting access is denied (always possible for a permission
//    event); otherwise the verdict is remembered so later opens/execs are
//    denied, which works only while on-access permission events are active;
//  - quarantine: moves the file into the host's quarantine store (`quarantine`
//    callback returns the entry JSON or throws with the reason);
//  - delete: unlinks the file;
//  - notify: nothing besides the report.
class FileActionExecutor : public ActionExecutor {
public:
    using QuarantineFn = std::function<std::string(const std::string& path, const std::string& meta_json)>;
    // Returns an empty string on success, else why blocking is impossible.
    using BlockFn = std::function<std::string(const ActionTarget&)>;
    FileActionExecutor(QuarantineFn quarantine, BlockFn block)
        : quarantine_(std::move(quarantine)), block_(std::move(block)) {}
    ActionOutcome run(Action action, const ActionTarget& target) override;

private:
    QuarantineFn quarantine_;
    BlockFn block_;
};

}  // namespace file_threat
