// GET /metrics and the request accounting behind it.
#include <sys/stat.h>

#include <chrono>

#include <vigil/common/process_metrics.hpp>
#include <vigil/common/prometheus.hpp>

#include "api.hpp"
#include "api_util.hpp"
#include "time_spec.hpp"

namespace vigil::central {

using namespace api_util;

namespace {
uint64_t file_size(const std::string& path) {
    struct stat st {};
    return !path.empty() && ::stat(path.c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;
}

// Prometheus scrapes every 15-60 s; within this age a scrape reuses the storage gauges.
constexpr std::chrono::seconds kStorageGaugesMaxAge{5};

// {"stored":N,"duplicate":true|false} from the telemetry endpoint.
uint64_t stored_events(const std::string& body) {
    auto p = body.find("\"stored\":");
    return p == std::string::npos ? 0 : std::strtoull(body.c_str() + p + 9, nullptr, 10);
}
}  // namespace

Response Api::count(const Request& r, Response response, std::chrono::steady_clock::time_point started) {
    const std::string route = route_template(r.path);
    metrics_.request(route, response.status);
    if (route == "/api/v1/agent/telemetry" && r.method == "POST") {
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const char* result = response.status != 200                                     ? "rejected"
                             : response.body.find("\"duplicate\":true") != std::string::npos ? "duplicate"
                                                                                            : "stored";
        uint64_t events = response.status == 200 ? stored_events(response.body) : 0;
        metrics_.ingest(result, events, r.body.size(), seconds);
    }
    return response;
}

Response Api::metrics(const Request& r) {
    require_role(r, Role::viewer);
    CentralMetrics::Gauges g = metrics_.cached(kStorageGaugesMaxAge, [this] {
        // "online": seen within three sync periods (an agent syncs once per period at least).
        const int64_t online_after = now_ns() - 3 * settings_.sync_period_s * 1000000000LL;
        const MetricCounts counts = storage_.metric_counts(online_after);
        CentralMetrics::Gauges c;
        c.agents_online = counts.agents_online;
        c.agents_offline = counts.agents - counts.agents_online;
        for (TaskState s : {TaskState::pending, TaskState::delivered, TaskState::done, TaskState::error,
                            TaskState::expired})
            c.tasks[to_string(s)] = 0;
        for (const auto& [state, n] : counts.tasks_by_state) {
            if (auto it = c.tasks.find(state); it != c.tasks.end()) it->second = n;  // known states only
        }
        c.storage_bytes["database"] = file_size(settings_.database_path);
        c.storage_bytes["wal"] = file_size(settings_.database_path.empty() ? "" : settings_.database_path + "-wal");
        c.storage_bytes["files"] = files_.bytes();
        return c;
    });
    g.long_polls = broker_.waiting();  // live: the broker's own count, no storage
    common::prom::Exposition process;
    common::render_process_metrics(process);
    Response out;
    out.content_type = common::prom::kContentType;
    out.body = metrics_.render(g) + process.render();
    return out;
}

}  // namespace vigil::central
