#pragma once

#include <atomic>

#include <vigil/sdk.hpp>

#include "protector.hpp"

namespace vigil::file_threat {

// Publishes detections (VIGIL_TYPE_THREAT) and action results
// (VIGIL_TYPE_ACTION_RESULT) on the bus, and quarantines through the host's
// store, so every detection reaches the central node.
class ThreatReporter : public Reporter {
public:
    explicit ThreatReporter(vigil::Host& host) : host_(host) {}
    uint64_t report_threat(const ThreatContext& ctx, const std::vector<Detection>& detections,
                           const Digests& digests) override;
    void report_action(uint64_t threat_id, const ThreatContext& ctx, const ActionOutcome& outcome) override;
    std::string quarantine(const ActionTarget& target) override;
    void log(int level, const std::string& message) override;

    uint64_t threats() const { return threats_.load(); }
    uint64_t actions_ok() const { return actions_ok_.load(); }
    uint64_t actions_failed() const { return actions_failed_.load(); }

private:
    vigil::Host& host_;
    std::atomic<uint64_t> next_threat_id_{1};
    std::atomic<uint64_t> threats_{0}, actions_ok_{0}, actions_failed_{0};
};

}  // namespace vigil::file_threat
