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
#include "status.hpp"
#include "prevention_list.hpp"
#include "protector.hpp"
#include "settings.hpp"
#include "threat_reporter.hpp"

// The glue of the plugin; the scanning core it drives shares namespace vigil::file_threat.
namespace vigil::file_threat {
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

        protector_.set_options(protector_options(settings_));
        exclusions_ = make_exclusions(settings_);

        progress_type_ = host.register_type("file_threat.scan_progress");
        host.on_command("file_threat.scan", [this](const vigil::Command& c, vigil::Reply r) { on_scan(c, r); });
        host.on_command("file_threat.set_prevention_list",
                        [this](const vigil::Command& c, vigil::Reply r) { on_set_prevention(c, r); });
        host.on_command("file_threat.get_prevention_list", [this](const vigil::Command&, vigil::Reply r) {
            r.ok(protector_.prevention()->to_json());
        });
    }

    ~FileThreatPlugin() override { stop(); }

    void start() override {
        Settings settings = current_settings();
        auto monitor = make_monitor(settings);  // throws with the reason (e.g. a mount that does not exist)
        {
            std::lock_guard<std::mutex> g(monitor_mu_);
            monitor_ = monitor;
        }
        protector_.set_monitor(monitor);
        if (monitor)
            host().info("on-access scanning active on " + std::to_string(monitor->marks().size()) + " mark(s)");
        else
            host().info("on-access scanning is off (disabled or no mounts/filesystems configured)");
        stopped_ = false;
        publish_status();
        status_timer_ = host().timer(settings.status_interval_ms, true, [this] { publish_status(); });
    }

    // Applies new settings in place. Settings that do not load (a rule that
    // does not compile, a bad hash list, a mount that cannot be watched) are
    // refused with the reason in the log and in the status, and the previous
    // settings keep protecting: nothing is lost on a bad reload.
    bool reconfigure() override {
        Settings next;
        std::shared_ptr<const Engines> engines;
        try {
            next = parse_settings(host().config_json());
            engines = Engines::load(next.yara_rules, next.hash_lists, next.eicar);
        } catch (const std::exception& e) {
            return refuse_reload(e.what());
        }
        if (next.on_access.cache_size != current_settings().on_access.cache_size)
            return false;  // the cache is sized at creation: let the host restart the instance
        std::shared_ptr<FanotifyMonitor> monitor;
        try {
            monitor = make_monitor(next);  // started next to the old one: no gap in protection
        } catch (const std::exception& e) {
            return refuse_reload(e.what());
        }
        std::shared_ptr<FanotifyMonitor> old;
        {
            std::lock_guard<std::mutex> g(monitor_mu_);
            old = std::exchange(monitor_, monitor);
        }
        {
            std::lock_guard<std::mutex> g(cfg_mu_);
            settings_ = next;
            exclusions_ = make_exclusions(next);
            reload_error_.clear();
        }
        protector_.set_options(protector_options(next));
        protector_.set_monitor(monitor);
        protector_.set_engines(engines);
        if (old) old->stop();
        host().info("new settings applied");
        publish_status();
        return true;
    }

    void stop() override {
        if (stopped_.exchange(true)) return;
        if (status_timer_) host().cancel_timer(status_timer_);
        status_timer_ = 0;
        {
            std::lock_guard<std::mutex> g(jobs_mu_);
            for (auto& j : jobs_) *j.cancel = true;
        }
        std::shared_ptr<FanotifyMonitor> monitor;
        {
            std::lock_guard<std::mutex> g(monitor_mu_);
            monitor = std::move(monitor_);
        }
        protector_.set_monitor(nullptr);
        if (monitor) monitor->stop();  // answers every waiting access with ALLOW first
        std::list<Job> jobs;
        {
            std::lock_guard<std::mutex> g(jobs_mu_);
            jobs.swap(jobs_);
        }
        for (auto& j : jobs)
            if (j.thread.joinable()) j.thread.join();
    }

private:
    struct Job {
        uint64_t id;
        std::shared_ptr<std::atomic<bool>> cancel;
        std::shared_ptr<std::atomic<bool>> done;
        std::thread thread;
    };

    Settings current_settings() {
        std::lock_guard<std::mutex> g(cfg_mu_);
        return settings_;
    }

    static ProtectorOptions protector_options(const Settings& s) {
        ProtectorOptions po;
        po.on_access_actions = s.on_access.actions;
        po.max_file_size = s.max_file_size;
        po.scan_timeout = std::chrono::milliseconds(s.scan_timeout_ms);
        po.on_demand_timeout = std::chrono::milliseconds(std::max(s.scan_timeout_ms, 60000u));
        po.test_scan_delay_ms = s.on_access.test_scan_delay_ms;
        po.execution_prevention = s.execution_prevention;
        return po;
    }

    std::shared_ptr<const Exclusions> make_exclusions(const Settings& s) const {
        auto e = std::make_shared<Exclusions>(s.exclusions);
        // The agent's own files (state, quarantine store) are never scanned.
        for (const auto& own : own_paths()) e->add(own);
        return e;
    }

    // A started monitor for these settings, or nullptr when on-access
    // scanning is off. Throws when it cannot start.
    std::shared_ptr<FanotifyMonitor> make_monitor(const Settings& s) {
        const auto& oa = s.on_access;
        if (!oa.enabled || (oa.mounts.empty() && oa.filesystems.empty() && !oa.local_filesystems)) return nullptr;
        if (oa.test_scan_delay_ms)
            host().warn("on_access.test_scan_delay_ms is set: every on-access scan is slowed down (TEST ONLY)");
        MonitorOptions mo;
        mo.mounts = oa.mounts;
        mo.filesystems = oa.filesystems;
        mo.local_filesystems = oa.local_filesystems;
        mo.open_perm = oa.scan_on_open;
        mo.interpreter_opens = oa.scan_interpreters && !oa.scan_on_open;
        mo.interpreters = oa.interpreters;
        mo.fail = oa.fail;
        mo.exec_perm = oa.scan_on_exec || s.execution_prevention;
        mo.close_write = oa.scan_after_write;
        mo.workers = oa.workers;
        mo.queue_size = oa.queue_size;
        mo.scan_timeout = std::chrono::milliseconds(s.scan_timeout_ms);
        mo.exclusions = *make_exclusions(s);
        mo.kernel_cache = oa.kernel_cache;
        // vigild withholds its systemd watchdog ping when this goes stale.
        mo.heartbeat = [h = &host()](const char* component, int64_t ms) {
            h->gauge_set(std::string("watchdog.") + component, ms);
        };
        auto m = std::make_shared<FanotifyMonitor>(mo, protector_);
        m->start();
        return m;
    }

    bool refuse_reload(const std::string& why) {
        {
            std::lock_guard<std::mutex> g(cfg_mu_);
            reload_error_ = why;
        }
        host().error("new settings not applied, the previous ones stay in force: " + why);
        publish_status();
        return true;  // handled: the running configuration keeps protecting
    }

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
        const Settings settings = current_settings();
        std::shared_ptr<const Exclusions> exclusions;
        {
            std::lock_guard<std::mutex> g(cfg_mu_);
            exclusions = exclusions_;
        }
        ScanJobRequest req;
        try {
            req = parse_scan_request(std::string(c.args_json), settings.on_demand.actions);
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
        if (jobs_.size() >= settings.on_demand.max_concurrent_scans) {
            r.error(VIGIL_EFAILED, "too many scans running (max_concurrent_scans = " +
                                       std::to_string(settings.on_demand.max_concurrent_scans) + ")");
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
        job.thread = std::thread([this, req, base, r, exclusions, id = job.id, cancel = job.cancel,
                                  done = job.done]() mutable {
            host().info("on-demand scan " + std::to_string(id) + " started (" + base.origin + ")");
            auto summary = run_scan_job(id, req, protector_, *exclusions, base, *cancel,
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
        StatusInputs in;
        std::shared_ptr<FanotifyMonitor> monitor;
        {
            std::lock_guard<std::mutex> g(monitor_mu_);
            monitor = monitor_;
        }
        {
            std::lock_guard<std::mutex> g(cfg_mu_);
            in.execution_prevention = settings_.execution_prevention;
            in.reload_error = reload_error_;
        }
        {
            std::lock_guard<std::mutex> g(jobs_mu_);
            in.running_scans = jobs_.size();
        }
        {
            std::lock_guard<std::mutex> g(last_mu_);
            in.last_scan_json = last_scan_;
        }
        in.protector = &protector_;
        in.monitor = monitor.get();
        in.threats = reporter_.threats();
        in.actions_ok = reporter_.actions_ok();
        in.actions_failed = reporter_.actions_failed();
        if (monitor) host().gauge_set("on_access_timeouts", int64_t(monitor->stats().timeouts.load()));
        host().set_status(status_json(in));
    }

    std::mutex cfg_mu_;  // settings_, exclusions_, reload_error_ (reconfigure runs on the control thread)
    Settings settings_;
    std::shared_ptr<const Exclusions> exclusions_;
    std::string reload_error_;
    ThreatReporter reporter_;
    Protector protector_;
    std::string state_dir_, prevention_path_;
    std::mutex monitor_mu_;
    std::shared_ptr<FanotifyMonitor> monitor_;
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
}  // namespace vigil::file_threat

VIGIL_PLUGIN(vigil::file_threat::FileThreatPlugin, "file_threat", "0.1.0",
             "On-access and on-demand file scanning (YARA, hash lists, EICAR), quarantine, execution prevention",
             nullptr, vigil::file_threat::kConfigSchema,
             "Apache-2.0", nullptr)
