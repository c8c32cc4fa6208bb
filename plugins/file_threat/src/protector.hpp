#pragma once

#include <sys/stat.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "action_policy.hpp"
#include "exclusions.hpp"
#include "fanotify_monitor.hpp"
#include "prevention_list.hpp"
#include "scan_engine.hpp"
#include "verdict_cache.hpp"

namespace vigil::file_threat {

// Where a detection happened and who asked.
struct ThreatContext {
    std::string path;
    std::string trigger;  // "open", "exec", "write", "on_demand"
    pid_t pid = 0;        // the accessing process (on access)
    struct stat st {};
    uint64_t correlation_id = 0;  // of the command that asked (on demand)
    std::string origin = "policy";
    int dir_fd = -1;              // the pinned parent directory (borrowed), see ActionTarget
    std::string name;
};

// The outside world of the policy: the plugin publishes on the bus and uses
// the host's quarantine store.
class Reporter {
public:
    virtual ~Reporter() = default;
    // Publishes a threat; returns its id (referenced by the action results).
    virtual uint64_t report_threat(const ThreatContext& ctx, const std::vector<Detection>& detections,
                                   const Digests& digests) = 0;
    virtual void report_action(uint64_t threat_id, const ThreatContext& ctx, const ActionOutcome& outcome) = 0;
    // Moves the judged file into the quarantine store; returns the entry JSON
    // or throws. The store acts only on the object the target describes.
    virtual std::string quarantine(const ActionTarget& target) = 0;
    virtual void log(int level, const std::string& message) = 0;
};

struct ProtectorOptions {
    ActionPair on_access_actions{Action::Quarantine, Action::Block};
    uint64_t max_file_size = 64ull << 20;
    std::chrono::milliseconds scan_timeout{5000};
    std::chrono::milliseconds on_demand_timeout{60000};
    unsigned test_scan_delay_ms = 0;  // TEST ONLY
    bool execution_prevention = true;
};

// The result of scanning one file on demand.
struct FileScanResult {
    std::string path;
    ScanOutcome outcome = ScanOutcome::Clean;
    std::vector<Detection> detections;
    std::vector<ActionOutcome> actions;
    uint64_t threat_id = 0;
    std::string error;
};

// Scan policy shared by on-access and on-demand scanning: engines, the
// execution prevention list, the verdict cache and the actions. Engines and
// the list are immutable snapshots replaced as a whole; every replacement
// bumps the generation, which invalidates all cached verdicts.
class Protector : public AccessHandler {
public:
    Protector(Reporter& reporter, size_t cache_capacity);

    void set_options(const ProtectorOptions& o);
    void set_engines(std::shared_ptr<const Engines> e);
    void set_prevention(std::shared_ptr<const PreventionList> p);
    // The running monitor (or nullptr): `block` outside a permission event
    // needs it, and generation changes flush its kernel cache.
    void set_monitor(std::shared_ptr<FanotifyMonitor> m);

    std::shared_ptr<const Engines> engines() const;
    std::shared_ptr<const PreventionList> prevention() const;
    VerdictCache& cache() { return cache_; }
    const VerdictCache& cache() const { return cache_; }
    uint64_t generation() const { return generation_.load(); }
    uint64_t scan_errors() const { return scan_errors_.load(); }
    uint64_t partial_scans() const { return partial_scans_.load(); }
    uint64_t changed_during_scan() const { return changed_during_scan_.load(); }

    // AccessHandler
    std::optional<bool> cached_decision(const FileStamp& stamp, bool exec) override;
    AccessDecision decide(const AccessEvent& ev, Clock::time_point deadline, const std::atomic<bool>& cancel) override;
    void after_write(const AccessEvent& ev, const std::atomic<bool>& cancel) override;
    void invalidate(uint64_t dev, uint64_t ino) override { cache_.invalidate(dev, ino); }

    // On demand: scans one file and applies `actions` to a detection.
    FileScanResult scan_path(const std::string& path, const ActionPair& actions, const ThreatContext& base,
                             const std::atomic<bool>& cancel);

private:
    struct Evaluation {
        ScanReport report;
        bool prevented = false;  // digest on the prevention list
        std::string prevented_by;
        bool stable = false;     // the file did not change during the scan
    };
    // Scans once; a file that changed while it was read is scanned again
    // (its new version) while time is left, else reported as not stable.
    Evaluation evaluate(int fd, const std::string& path, struct stat& st, Clock::time_point deadline,
                        const std::atomic<bool>& cancel, unsigned delay_ms);
    Evaluation evaluate_once(int fd, const std::string& path, const struct stat& st, Clock::time_point deadline,
                             const std::atomic<bool>& cancel, unsigned delay_ms);
    ActionsResult act(const ThreatContext& ctx, const std::vector<Detection>& detections, const Digests& digests,
                      const ActionPair& actions, bool permission_event, const FileStamp& stamp, uint64_t& threat_id);
    void bump_generation();

    Reporter& reporter_;
    VerdictCache cache_;
    mutable std::mutex mu_;
    std::shared_ptr<const Engines> engines_;
    std::shared_ptr<const PreventionList> prevention_;
    ProtectorOptions options_;
    std::shared_ptr<FanotifyMonitor> monitor_;
    std::atomic<uint64_t> generation_{1};
    std::atomic<uint64_t> scan_errors_{0}, partial_scans_{0}, changed_during_scan_{0};
};

// The detection metadata stored with a quarantined file (JSON object).
std::string quarantine_meta_json(const ThreatContext& ctx, const std::vector<Detection>& detections,
                                 uint64_t threat_id);
std::string detections_json(const std::vector<Detection>& detections);

}  // namespace vigil::file_threat
