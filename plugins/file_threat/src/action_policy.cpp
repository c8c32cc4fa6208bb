#include "action_policy.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace file_threat {

ActionsResult apply_actions(const ActionPair& actions, ActionExecutor& executor, const ActionTarget& target) {
    ActionsResult r;
    ActionOutcome first = executor.run(actions.first, target);
    r.attempts.push_back(first);
    const ActionOutcome* done = first.ok ? &r.attempts.back() : nullptr;
    if (!first.ok && actions.second != actions.first) {
        r.attempts.push_back(executor.run(actions.second, target));
        if (r.attempts.back().ok) done = &r.attempts.back();
    }
    r.deny_access = !(done && done->action == Action::Notify);
    return r;
}

namespace {
ActionOutcome failed(Action a, std::string why) {
    ActionOutcome o;
    o.action = a;
    o.ok = false;
    o.error = std::move(why);
    o.details_json = "{}";
    return o;
}
ActionOutcome succeeded(Action a, std::string details = "{}") {
    ActionOutcome o;
    o.action = a;
    o.ok = true;
    o.details_json = std::move(details);
    return o;
}
}  // namespace

ActionOutcome FileActionExecutor::run(Action action, const ActionTarget& target) {
    switch (action) {
    case Action::Notify: return succeeded(action);
    case Action::Block: {
        std::string why = block_ ? block_(target) : std::string("blocking is not available");
        return why.empty() ? succeeded(action) : failed(action, why);
    }
    case Action::Quarantine: {
        if (!quarantine_) return failed(action, "no quarantine store");
        try {
            return succeeded(action, quarantine_(target.path, target.meta_json));
        } catch (const std::exception& e) {
            return failed(action, e.what());
        }
    }
    case Action::Delete: {
        struct stat st;
        if (::lstat(target.path.c_str(), &st) != 0)
            return failed(action, "cannot delete " + target.path + ": " + std::strerror(errno));
        if (!S_ISREG(st.st_mode)) return failed(action, "refusing to delete " + target.path + ": not a regular file");
        if (::unlink(target.path.c_str()) != 0)
            return failed(action, "cannot delete " + target.path + ": " + std::strerror(errno));
        return succeeded(action);
    }
    }
    return failed(action, "unknown action");
}

}  // namespace file_threat
