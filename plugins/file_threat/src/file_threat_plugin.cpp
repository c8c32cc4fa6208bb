// file_threat plugin: glue between the Vigil host and the scanning core
// (settings, commands, status, lifecycle). The logic lives in file_threat_core.
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include <vigil/sdk.hpp>

#include "config_schema.hpp"
#include "fanotify_monitor.hpp"
#include "on_demand_scan.hpp"
#include "prevention_list.hpp"
#include "protector.hpp"
#include "settings.hpp"
#include "threat_reporter.hpp"

namespace file_threat {
namespace {

class FileThreatPlugin : public vigil::Plugin {
public:
    explicit FileThreatPlugin(vigil::Host& host)
        : Plugin(host), settings_(parse_settings(host.config_json())), reporter_(host),
          protector_(reporter_, settings_.on_access.cache_size) {
        state_dir_ = host.state_dir();
        prevention_path_ = state_dir_ + "/prevention_list.json";
        protector_.set_engines(Engines::load(settings_.yara_rules, settings_.hash_lists, settings_.eicar));
        protector_.set_prevention(std::make_shared<PreventionList>(PreventionList::load(prevention_path_)));

        ProtectorOptions po;
        po.on_access_actions = settings_.on_access.actions;
        po.max_file_size = settings_.max_file_size;
        po.scan_timeout = std::chrono::milliseconds(settings_.scan_timeout_ms);
        po.on_demand_timeout = std::chrono::milliseconds(std::max(settings_.scan_timeout_ms, 60000u));
        po.test_scan_delay_ms = settings_.on_access.test_scan_delay_ms;
        po.execution_prevention = settings_.execution_prevention;
        protector_.set_options(po);

        exclusions_ = Exclusions(settings_.exclusions);
        // The agent's own files (state, quarantine store) are never scanned.
        for (const auto& own : own_paths()) exclusions_.add(own);

        progress_type_ = host.register_type("file_threat.scan_progress");
        host.on_command("file_threat.scan", [this](const vigil::Command& c, vigil::Reply r) { on_scan(c, r); });
        host.on_command("file_threat.set_prevention_list",
                        [this](const vigil::Command& c, vigil::Reply r) { on_set_prevention(c, r); });
        host.on_command("file_threat.get_prevention_list", [this](const vigil::Command&, vigil::Reply r) {
            r.ok(protector_.prevention()->to_json());
        });
        if (settings_.on_access.test_scan_delay_ms)
            host.warn("on_access.test_scan_delay_ms is set: every on-access scan is slowed down (TEST ONLY)");
    }

    ~FileThreatPlugin() override { stop(); }

    void start() override {
        const auto& oa = settings_.on_access;
        if (oa.enabled && (!oa.mounts.empty() || !oa.filesystems.empty())) {
            MonitorOptions mo;
            mo.mounts = oa.mounts;
            mo.filesystems = oa.filesystems;
            mo.open_perm = oa.scan_on_open;
            mo.exec_perm = oa.scan_on_exec || settings_.execution_prevention;
            mo.close_write = oa.scan_after_write;
            mo.workers = oa.workers;
            mo.queue_size = oa.queue_size;
            mo.scan_timeout = std::chrono::milliseconds(settings_.scan_timeout_ms);
            mo.max_file_size = settings_.max_file_size;
            mo.exclusions = exclusions_;
            mo.kernel_cache = oa.kernel_cache;
            monitor_ = std::make_unique<FanotifyMonitor>(mo, protector_);
            monitor_->start();
            protector_.set_monitor(monitor_.get());
            host().info("on-access scanning active on " + std::to_string(monitor_->marks().size()) + " mark(s)");
        } else {
            host().info("on-access scanning is off (disabled or no mounts/filesystems configured)");
        }
        publish_status();
        status_timer_ = host().timer(settings_.status_interval_ms, true, [this] { publish_status(); });
        stopped_ = false;
    }

    void stop() override {
        if (stopped_) return;
        stopped_ = true;
        if (status_timer_) host().cancel_timer(status_timer_);
        status_timer_ = 0;
        {
            std::lock_guard<std::mutex> g(jobs_mu_);
            for (auto& j : jobs_) *j.cancel = true;
        }
        if (monitor_) {
            protector_.set_monitor(nullptr);
            monitor_->stop();  // answers every waiting access with ALLOW first
        }
        std::list<Job> jobs;
        {
            std::lock_guard<std::mutex> g(jobs_mu_);
            jobs.swap(jobs_);
        }
        for (auto& j : jobs)
            if (j.thread.joinable()) j.thread.join();
        monitor_.reset();
    }

private:
    struct Job {
        uint64_t id;
        std::shared_ptr<std::atomic<bool>> cancel;
        std::shared_ptr<std::atomic<bool>> done;
        std::thread thread;
    };

    std::vector<std::string> own_paths() const {
        std::vector<std::string> out;
        // <state_dir>/plugins/<name>: the agent's state directory holds the
        // quarantine store and every plugin's state.
        std::string agent_state = state_dir_;
        for (int i = 0; i < 2; ++i) {
            auto slash = agent_state.rfind('/');
            if (slash == std::string::npos || slash == 0) break;
            agent_state.resize(slash);
        }
        if (state_dir_.find("/plugins/") != std::string::npos) out.push_back(agent_state);
        else if (!state_dir_.empty()) out.push_back(state_dir_);
        return out;
    }

    void on_set_prevention(const vigil::Command& c, vigil::Reply r) {
        PreventionList list;
        try {
            list = PreventionList::parse_json(c.args_json.empty() ? "{}" : c.args_json);
        } catch (const std::exception& e) {
            r.error(VIGIL_EINVAL, e.what());
            return;
        }
        try {
            list.save(prevention_path_);
        } catch (const std::exception& e) {
            r.error(VIGIL_EFAILED, e.what());
            return;
        }
        auto shared = std::make_shared<PreventionList>(std::move(list));
        protector_.set_prevention(shared);
        host().info("execution prevention list replaced: " + std::to_string(shared->sha256_count()) + " SHA-256, " +
                    std::to_string(shared->md5_count()) + " MD5");
        r.ok("{\"sha256\":" + std::to_string(shared->sha256_count()) +
             ",\"md5\":" + std::to_string(shared->md5_count()) + ",\"origin\":\"" + vigil::json_escape(c.origin) +
             "\"}");
        publish_status();
    }

    void on_scan(const vigil::Command& c, vigil::Reply r) {
        ScanJobRequest req;
        try {
            req = parse_scan_request(std::string(c.args_json), settings_.on_demand.actions);
        } catch (const std::exception& e) {
            r.error(VIGIL_EINVAL, e.what());
            return;
        }
        std::lock_guard<std::mutex> g(jobs_mu_);
        reap_jobs_locked();
        if (stopped_) {
            r.error(VIGIL_ESTATE, "file_threat is stopping");
            return;
        }
        if (jobs_.size() >= settings_.on_demand.max_concurrent_scans) {
            r.error(VIGIL_EFAILED, "too many scans running (max_concurrent_scans = " +
                                       std::to_string(settings_.on_demand.max_concurrent_scans) + ")");
            return;
        }
        ThreatContext base;
        base.correlation_id = c.correlation_id;
        base.origin = c.origin.empty() ? "command" : std::string(c.origin);
        Job job{next_job_id_++, std::make_shared<std::atomic<bool>>(false), std::make_shared<std::atomic<bool>>(false),
                {}};
        if (req.async) r.ok("{\"job_id\":" + std::to_string(job.id) + ",\"started\":true}");
        // Long scans run on their own thread so the executor stays free; the
        // reply is sent from there when the scan is done.
        job.thread = std::thread([this, req, base, r, id = job.id, cancel = job.cancel, done = job.done]() mutable {
            host().info("on-demand scan " + std::to_string(id) + " started (" + base.origin + ")");
            auto summary = run_scan_job(id, req, protector_, exclusions_, base, *cancel,
                                        [&](const ScanJobSummary& s, bool finished) {
                                            const std::string p = s.progress_json(finished);
                                            host().publish(progress_type_, p.data(), uint32_t(p.size()),
                                                           base.correlation_id);
                                            std::lock_guard<std::mutex> lk(last_mu_);
                                            last_scan_ = p;
                                        });
            host().info("on-demand scan " + std::to_string(id) + " done: " + summary.progress_json(true));
            if (!req.async) r.ok(summary.to_json());
            *done = true;
        });
        jobs_.push_back(std::move(job));
    }

    void reap_jobs_locked() {
        for (auto it = jobs_.begin(); it != jobs_.end();) {
            if (*it->done) {
                it->thread.join();
                it = jobs_.erase(it);
            } else {
                ++it;
            }
        }
    }

    void publish_status() {
        auto engines = protector_.engines();
        auto prevention = protector_.prevention();
        const auto& cache = protector_.cache();
        const double lookups = double(cache.hits() + cache.misses());
        std::string s = "{\"engines\":{\"yara\":{\"loaded\":" +
                        std::string(engines && engines->yara && !engines->yara->empty() ? "true" : "false") +
                        ",\"rules\":" + std::to_string(engines && engines->yara ? engines->yara->rule_count() : 0) +
                        ",\"files\":" + std::to_string(engines && engines->yara ? engines->yara->files().size() : 0) +
                        "},\"hash\":{\"md5\":" + std::to_string(engines ? engines->hashes.md5_count() : 0) +
                        ",\"sha1\":" + std::to_string(engines ? engines->hashes.sha1_count() : 0) +
                        ",\"sha256\":" + std::to_string(engines ? engines->hashes.sha256_count() : 0) +
                        "},\"eicar\":" + (engines && engines->eicar ? "true" : "false") + "}";
        s += ",\"cache\":{\"entries\":" + std::to_string(cache.size()) + ",\"hits\":" + std::to_string(cache.hits()) +
             ",\"misses\":" + std::to_string(cache.misses()) + ",\"hit_rate\":" +
             std::to_string(lookups > 0 ? double(cache.hits()) / lookups : 0.0) + "}";
        s += ",\"prevention\":{\"enabled\":" + std::string(settings_.execution_prevention ? "true" : "false") +
             ",\"sha256\":" + std::to_string(prevention ? prevention->sha256_count() : 0) +
             ",\"md5\":" + std::to_string(prevention ? prevention->md5_count() : 0) + "}";
        s += ",\"on_access\":{\"running\":" + std::string(monitor_ && monitor_->running() ? "true" : "false");
        if (monitor_) {
            const auto& st = monitor_->stats();
            s += ",\"marks\":[";
            auto marks = monitor_->marks();
            for (size_t i = 0; i < marks.size(); ++i) s += (i ? ",\"" : "\"") + vigil::json_escape(marks[i]) + "\"";
            s += "],\"permission_events\":" + std::to_string(st.permission_events.load()) +
                 ",\"close_write_events\":" + std::to_string(st.close_write_events.load()) +
                 ",\"scans\":" + std::to_string(st.scans.load()) +
                 ",\"allowed_cached\":" + std::to_string(st.allowed_cached.load()) +
                 ",\"denied_cached\":" + std::to_string(st.denied_cached.load()) +
                 ",\"denied\":" + std::to_string(st.denied.load()) +
                 ",\"timeouts\":" + std::to_string(st.timeouts.load()) +
                 ",\"excluded\":" + std::to_string(st.excluded.load()) +
                 ",\"skipped_too_large\":" + std::to_string(st.skipped_too_large.load()) +
                 ",\"queue_full\":" + std::to_string(st.queue_full.load()) +
                 ",\"own_events\":" + std::to_string(st.own_events.load()) +
                 ",\"kernel_cache_marks\":" + std::to_string(st.kernel_cache_marks.load()) +
                 ",\"pending\":" + std::to_string(monitor_->pending()) +
                 ",\"errors\":" + std::to_string(st.errors.load());
            host().gauge_set("on_access_timeouts", int64_t(st.timeouts.load()));
        }
        s += "},\"threats\":" + std::to_string(reporter_.threats()) +
             ",\"actions_ok\":" + std::to_string(reporter_.actions_ok()) +
             ",\"actions_failed\":" + std::to_string(reporter_.actions_failed()) +
             ",\"scan_errors\":" + std::to_string(protector_.scan_errors());
        {
            std::lock_guard<std::mutex> g(jobs_mu_);
            s += ",\"on_demand\":{\"running\":" + std::to_string(jobs_.size());
        }
        {
            std::lock_guard<std::mutex> g(last_mu_);
            if (!last_scan_.empty()) s += ",\"last\":" + last_scan_;
        }
        s += "}}";
        host().set_status(s);
    }

    Settings settings_;
    ThreatReporter reporter_;
    Protector protector_;
    Exclusions exclusions_;
    std::string state_dir_, prevention_path_;
    std::unique_ptr<FanotifyMonitor> monitor_;
    uint32_t progress_type_ = 0;
    uint64_t status_timer_ = 0;
    std::atomic<bool> stopped_{true};
    std::mutex jobs_mu_;
    std::list<Job> jobs_;
    uint64_t next_job_id_ = 1;
    std::mutex last_mu_;
    std::string last_scan_;
};

}  // namespace
}  // namespace file_threat

VIGIL_PLUGIN(file_threat::FileThreatPlugin, "file_threat", "0.1.0",
             "On-access and on-demand file scanning (YARA, hash lists, EICAR), quarantine, execution prevention",
             nullptr, file_threat::kConfigSchema)
