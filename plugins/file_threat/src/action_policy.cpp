#include "action_policy.hpp"

namespace vigil::file_threat {

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

vigil::common::FileRef judged_ref(const ActionTarget& t) {
    namespace common = vigil::common;
    if (t.st.st_ino == 0) return common::resolve_file(t.path);
    const auto stamp = common::FileStamp::of(t.st);
    if (t.dir_fd >= 0) return common::ref_at(t.dir_fd, t.name, t.path, stamp);
    common::FileRef ref = common::resolve_file(t.path);
    ref.expect = stamp;  // what is there now must be what was scanned
    return ref;
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
            return succeeded(action, quarantine_(target));
        } catch (const std::exception& e) {
            return failed(action, e.what());
        }
    }
    case Action::Delete: {
        try {
            vigil::common::unlink_verified(judged_ref(target));
        } catch (const vigil::common::SafeFsError& e) {
            return failed(action, "cannot delete " + target.path + ": " + e.what());
        }
        return succeeded(action);
    }
    }
    return failed(action, "unknown action");
}

}  // namespace vigil::file_threat
