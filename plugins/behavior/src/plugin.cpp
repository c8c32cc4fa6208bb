// The behavior plugin: telemetry sensors + process table (+ Sigma detection).
// Glue only: settings, sensor choice, publishing and status.
#include "sensor_set.hpp"
#include "detection.hpp"
#include "settings.hpp"
#include "status.hpp"
#include "telemetry_pipeline.hpp"

#include <unistd.h>

#include <vigil/sdk.hpp>

#include <memory>
#include <mutex>

namespace vigil::behavior {

class BehaviorPlugin : public vigil::Plugin {
public:
    explicit BehaviorPlugin(vigil::Host& host) : Plugin(host), settings_(parse_settings(host.config_json())) {}

    void start() override {
        PipelineOptions o;
        static_cast<HashOptions&>(o) = settings_;
        o.table.max_live = settings_.process_table_max;
        o.table.max_exited = settings_.exited_process_retention;
        o.files = PathFilter(settings_.file_watch_paths, settings_.file_exclude_paths);
        // The agent's own files: its state directory (every plugin's state,
        // the quarantine store) and this plugin's.
        if (auto dir = vigil::agent_settings(host()).state_dir; !dir.empty()) o.files.exclude(dir);
        if (auto dir = host().state_dir(); !dir.empty()) o.files.exclude(dir);
        o.self_pid = ::getpid();
        o.init_mnt_ns = ProcReader().read(1) ? ProcReader().read(1)->info.mnt_ns : 0;
        auto& h = host();
        auto log = [&h](int level, const std::string& m) { h.log(vigil_log_level(level), m); };
        if (settings_.detection) {
            DetectionHooks hooks;
            hooks.publish = [&h](uint32_t type, const void* p, uint32_t n) { h.publish(type, p, n); };
            hooks.ancestors = [this](int32_t pid) { return pipeline_->ancestors(pid); };
            hooks.log = log;
            detection_ = std::make_unique<Detection>(settings_, std::move(hooks));
        }
        pipeline_ = std::make_unique<TelemetryPipeline>(
            std::move(o), [&h, this](uint32_t type, const void* payload, uint32_t size) {
                if (h.publish(type, payload, size) != VIGIL_OK) pipeline_->on_loss("publish_refused", 1);
                if (detection_) detection_->evaluate(type, payload, size);
            });
        load_hash_cache();
        sensors_ = std::make_unique<SensorSet>(settings_, ::getpid(), log);
        sensors_->start(*pipeline_);
        h.info("behavior sensors started: " + describe_mechanisms(*sensors_));
        report_status();
        timer_ = h.timer(settings_.status_interval_ms, true, [this] { report_status(); });
    }

    void stop() override {
        if (timer_) host().cancel_timer(timer_);
        timer_ = 0;
        if (sensors_) sensors_->stop();
        if (pipeline_) {
            pipeline_->stop();
            report_status();
            save_hash_cache();
        }
    }

private:
    // The executable hash cache survives restarts (its key holds the file's ctime, so an
    // entry only ever matches the content it was computed from).
    std::string hash_cache_path() {
        auto dir = host().state_dir();
        return settings_.hash_executables && !dir.empty() ? std::string(dir) + "/exe_hashes" : std::string();
    }
    void load_hash_cache() {
        auto path = hash_cache_path();
        if (path.empty()) return;
        auto r = pipeline_->hasher().load(path);
        if (!r.error.empty()) {
            host().warn("behavior: hash cache ignored: " + r.error);
            return;
        }
        if (r.loaded || r.skipped)
            host().info("behavior: " + std::to_string(r.loaded) + " executable hashes from " + path +
                        (r.skipped ? " (" + std::to_string(r.skipped) + " malformed lines skipped)" : ""));
    }
    void save_hash_cache() {
        auto path = hash_cache_path();
        if (path.empty()) return;
        if (auto err = pipeline_->hasher().save(path); !err.empty()) host().warn("behavior: hash cache not saved: " + err);
    }

    void report_status() {
        std::lock_guard g(status_mu_);
        if (!pipeline_ || !sensors_) return;
        auto c = pipeline_->counters();
        auto t = pipeline_->table_stats();
        std::string detection = "null";
        if (detection_) detection = detection_->status_json();
        host().set_status(status_json(*sensors_, c, t, *pipeline_, settings_, detection));
        // Counters are cumulative on the host side: add what is new.
        // The first report publishes every counter (zeros included) so that
        // "no loss" is visible as events_lost 0, not as a missing metric.
        auto add = [&](const char* name, uint64_t now, uint64_t& before) {
            if (now > before || !reported_) host().counter_add(name, now - before);
            before = now;
        };
        add("process_start_events", c.process_start, last_.process_start);
        add("process_exit_events", c.process_exit, last_.process_exit);
        add("network_events", c.network, last_.network);
        add("file_events", c.file, last_.file);
        add("events_lost", c.lost_total, last_.lost_total);
        host().gauge_set("process_table_live", int64_t(t.live));
        host().gauge_set("process_table_exited", int64_t(t.exited));
        reported_ = true;
    }

    Settings settings_;
    std::unique_ptr<Detection> detection_;
    std::unique_ptr<TelemetryPipeline> pipeline_;
    std::unique_ptr<SensorSet> sensors_;
    uint64_t timer_ = 0;
    std::mutex status_mu_;
    TelemetryPipeline::Counters last_;
    bool reported_ = false;
};

}  // namespace vigil::behavior

VIGIL_PLUGIN(vigil::behavior::BehaviorPlugin, "behavior", "0.1.0",
             "Telemetry sensors (process, network, file) with process context, and Sigma behavior detection",
             nullptr, vigil::behavior::kSettingsSchema,
             "Apache-2.0", nullptr)
