#include <doctest/doctest.h>

#include <filesystem>

#include "action_policy.hpp"
#include "test_util.hpp"

using namespace vigil::file_threat;

namespace {
// Records the order of actions and fails the ones listed.
struct ScriptedExecutor : ActionExecutor {
    std::vector<Action> ran;
    std::vector<Action> failing;
    ActionOutcome run(Action a, const ActionTarget&) override {
        ran.push_back(a);
        ActionOutcome o;
        o.action = a;
        o.ok = std::find(failing.begin(), failing.end(), a) == failing.end();
        if (!o.ok) o.error = "scripted failure";
        return o;
    }
};
}  // namespace

TEST_CASE("file_threat actions: the second action runs only when the first fails") {
    ScriptedExecutor ex;
    auto r = apply_actions({Action::Quarantine, Action::Block}, ex, {});
    CHECK(ex.ran == std::vector<Action>{Action::Quarantine});
    CHECK(r.deny_access);

    ex = {};
    ex.failing = {Action::Quarantine};
    r = apply_actions({Action::Quarantine, Action::Notify}, ex, {});
    CHECK(ex.ran == std::vector<Action>{Action::Quarantine, Action::Notify});
    REQUIRE(r.attempts.size() == 2);
    CHECK_FALSE(r.attempts[0].ok);
    CHECK(r.attempts[1].ok);
    CHECK_FALSE(r.deny_access);  // only notified: the access goes through

    ex = {};
    ex.failing = {Action::Delete, Action::Block};
    r = apply_actions({Action::Delete, Action::Block}, ex, {});
    CHECK(r.deny_access);  // nothing worked: a known threat is still denied

    ex = {};
    ex.failing = {Action::Delete};
    r = apply_actions({Action::Delete, Action::Delete}, ex, {});
    CHECK(ex.ran.size() == 1);  // same action is not retried
}

TEST_CASE("file_threat actions: the file executor deletes, quarantines and blocks") {
    TempDir dir;
    std::string quarantined;
    FileActionExecutor ex(
        [&](const ActionTarget& target) {
            if (target.meta_json == "fail") throw std::runtime_error("store full");
            quarantined = target.path;
            return std::string("{\"id\":\"1\"}");
        },
        [](const ActionTarget& t) { return t.permission_event ? std::string() : std::string("no permission events"); });

    ActionTarget t;
    t.path = dir.file("victim", "x");
    auto o = ex.run(Action::Delete, t);
    CHECK(o.ok);
    CHECK_FALSE(std::filesystem::exists(t.path));
    o = ex.run(Action::Delete, t);
    CHECK_FALSE(o.ok);
    CHECK(o.error.find("cannot delete " + t.path) == 0);

    t.path = dir.file("q", "x");
    o = ex.run(Action::Quarantine, t);
    CHECK(o.ok);
    CHECK(o.details_json == "{\"id\":\"1\"}");
    CHECK(quarantined == t.path);
    t.meta_json = "fail";
    o = ex.run(Action::Quarantine, t);
    CHECK_FALSE(o.ok);
    CHECK(o.error == "store full");

    CHECK_FALSE(ex.run(Action::Block, t).ok);
    t.permission_event = true;
    CHECK(ex.run(Action::Block, t).ok);
    CHECK(ex.run(Action::Notify, t).ok);
}
