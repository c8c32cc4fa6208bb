// The daemon's operational side: the systemd watchdog and the metrics outputs
// (control socket, loopback listener, node_exporter textfile).
#include <malloc.h>
#include <vigil/plugin.h>

#include "daemon.hpp"
#include "log.hpp"
#include "version.hpp"

namespace vigil::core {

std::string Daemon::ready_status() const {
    size_t running = 0, total = 0;
    for (const auto& p : plugins_->snapshot()) {
        ++total;
        running += p.state == "running";
    }
    return "running; " + std::to_string(running) + " of " + std::to_string(total) + " plugins running";
}

void Daemon::start_operation() {
    detections_ = std::make_unique<DetectionMetrics>(*bus_);
    AgentMetrics::Sources src;
    src.version = kVersion;
    src.abi = std::to_string(VIGIL_ABI_MAJOR) + "." + std::to_string(VIGIL_ABI_MINOR);
    src.bus = bus_.get();
    src.plugins = plugins_.get();
    src.detections = detections_.get();
    src.host_published = [this] { return host_publisher_.published.load(); };
    src.reloads = [this] { return reloads_.load(); };
    Watchdog::Sources wd;
    wd.subscriptions = [this] { return bus_->subscriptions(); };
    wd.heartbeats = [this] { return AgentMetrics::heartbeats(plugins_->snapshot()); };
    watchdog_ = std::make_unique<Watchdog>(notifier_, wd, std::chrono::seconds(config_.agent.watchdog_stall_s));
    src.watchdog = watchdog_.get();
    metrics_ = std::make_unique<AgentMetrics>(src);
    watchdog_->start();
    if (notifier_.watchdog_timeout().count() > 0)
        log_info("host", "systemd watchdog: " + std::to_string(notifier_.watchdog_timeout().count() / 1000000) +
                             " s; stall limit " + std::to_string(config_.agent.watchdog_stall_s) + " s");
    apply_operation_settings();
    schedule_heap_trim();
}

// glibc returns free memory to the kernel only from the top of each heap;
// plugin start-up (rule compilation, list loading) and bursts of events leave
// free holes below live blocks that stay resident for the agent's lifetime.
// malloc_trim(0) releases those pages in every arena; on an agent's few-MiB
// heap it costs well under a millisecond, so once after start-up settles and
// then once a minute.
void Daemon::schedule_heap_trim() {
    host_executor_->add_timer(10 * 1000, false, [] { ::malloc_trim(0); });
    host_executor_->add_timer(60 * 1000, true, [] { ::malloc_trim(0); });
}

void Daemon::apply_operation_settings() {
    LogFormat fmt;
    if (parse_log_format(config_.agent.log_format, fmt)) set_log_format(fmt);
    if (watchdog_) watchdog_->set_stall_limit(std::chrono::seconds(config_.agent.watchdog_stall_s));
    auto render = [this] { return metrics_->render(); };
    const auto& a = config_.agent;
    if (a.metrics_listen != metrics_listen_) {
        metrics_http_.reset();
        metrics_listen_ = a.metrics_listen;
        if (!a.metrics_listen.empty()) {
            auto http = std::make_unique<MetricsHttpServer>(render);
            std::string err;
            if (http->start(a.metrics_listen, err)) {
                log_info("metrics", "serving http://" + a.metrics_listen + "/metrics");
                metrics_http_ = std::move(http);
            } else {
                log_error("metrics", err);
            }
        }
    }
    if (a.metrics_textfile != metrics_textfile_path_ || a.metrics_textfile_interval_s != metrics_textfile_interval_s_) {
        metrics_textfile_.reset();
        metrics_textfile_path_ = a.metrics_textfile;
        metrics_textfile_interval_s_ = a.metrics_textfile_interval_s;
        if (!a.metrics_textfile.empty()) {
            metrics_textfile_ = std::make_unique<MetricsTextfile>(
                a.metrics_textfile, std::chrono::seconds(a.metrics_textfile_interval_s), render);
            metrics_textfile_->start();
            log_info("metrics", "writing " + a.metrics_textfile + " every " +
                                    std::to_string(a.metrics_textfile_interval_s) + " s");
        }
    }
}

void Daemon::stop_operation() {
    metrics_http_.reset();
    metrics_textfile_.reset();
    if (watchdog_) watchdog_->stop();
}

}  // namespace vigil::core
