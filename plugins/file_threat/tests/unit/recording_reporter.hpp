#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "protector.hpp"

// Reporter that records what the policy publishes; quarantine moves the file
// into a directory (the real store is the host's, tested through vigild).
struct RecordingReporter : vigil::file_threat::Reporter {
    std::mutex mu;
    std::vector<std::string> threats;   // "engine:rule:path:trigger"
    std::vector<std::string> actions;   // "action:ok:path"
    std::string quarantine_dir;
    bool quarantine_fails = false;
    uint64_t next = 1;

    uint64_t report_threat(const vigil::file_threat::ThreatContext& ctx, const std::vector<vigil::file_threat::Detection>& d,
                           const vigil::file_threat::Digests&) override {
        std::lock_guard<std::mutex> g(mu);
        threats.push_back(d.front().engine + ":" + d.front().rule + ":" + ctx.path + ":" + ctx.trigger);
        return next++;
    }
    void report_action(uint64_t, const vigil::file_threat::ThreatContext& ctx, const vigil::file_threat::ActionOutcome& o) override {
        std::lock_guard<std::mutex> g(mu);
        actions.push_back(std::string(vigil::file_threat::action_name(o.action)) + ":" + (o.ok ? "ok" : "failed") + ":" +
                          ctx.path);
    }
    std::string quarantine(const vigil::file_threat::ActionTarget& t) override {
        if (quarantine_fails || quarantine_dir.empty()) throw std::runtime_error("store unavailable");
        vigil::file_threat::judged_ref(t);  // the target must describe the scanned file
        std::string dest = quarantine_dir + "/q" + std::to_string(next);
        if (::rename(t.path.c_str(), dest.c_str()) != 0) throw std::runtime_error("rename failed");
        return "{\"id\":\"q\"}";
    }
    void log(int, const std::string&) override {}
    size_t threat_count() {
        std::lock_guard<std::mutex> g(mu);
        return threats.size();
    }
    // The file leaves its directory before the action is reported: tests wait for this.
    std::string action(size_t i) {
        std::lock_guard<std::mutex> g(mu);
        return i < actions.size() ? actions[i] : std::string();
    }
};
