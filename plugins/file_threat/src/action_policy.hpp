#pragma once

#include <sys/stat.h>

#include <functional>
#include <string>
#include <vector>

#include <vigil/common/safe_fs.hpp>

#include "action.hpp"

namespace vigil::file_threat {

// What an action works on: the file that was judged. Actions never trust the
// path alone (it may have been swapped since): they go through the directory
// pinned when the event was read, or resolve the path without following links,
// and act only while the object is the one scanned (device, inode, size,
// mtime, ctime of `st`).
struct ActionTarget {
    std::string path;
    bool permission_event = false;  // an open/exec is waiting for our answer
    std::string meta_json;          // detection metadata (JSON object) for the quarantine store
    int dir_fd = -1;                // pinned parent directory (borrowed), or -1
    std::string name;               // the file's name in dir_fd
    struct stat st {};              // as scanned; st_ino == 0: not known (resolve now)
};

// The judged file as a reference for vigil/common/safe_fs.hpp; throws
// SafeFsError when the path cannot be resolved safely.
vigil::common::FileRef judged_ref(const ActionTarget& target);

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
//  - delete: unlinks the file (only while it is the judged object);
//  - notify: nothing besides the report.
class FileActionExecutor : public ActionExecutor {
public:
    using QuarantineFn = std::function<std::string(const ActionTarget& target)>;
    // Returns an empty string on success, else why blocking is impossible.
    using BlockFn = std::function<std::string(const ActionTarget&)>;
    FileActionExecutor(QuarantineFn quarantine, BlockFn block)
        : quarantine_(std::move(quarantine)), block_(std::move(block)) {}
    ActionOutcome run(Action action, const ActionTarget& target) override;

private:
    QuarantineFn quarantine_;
    BlockFn block_;
};

}  // namespace vigil::file_threat
