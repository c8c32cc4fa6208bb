// GET /metrics and the request accounting behind it.
#include <sys/stat.h>

#include <filesystem>

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

// Task files are counted up to a bound of entries, so a scrape stays cheap.
uint64_t directory_bytes(const std::string& dir) {
    std::error_code ec;
    uint64_t total = 0;
    size_t seen = 0;
    for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end && seen < 100000;
         it.increment(ec), ++seen) {
        if (it->is_regular_file(ec)) total += it->file_size(ec);
    }
    return total;
}

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
    CentralMetrics::Gauges g;
    // "online": seen within three sync periods (an agent syncs once per period at least).
    const int64_t online_after = now_ns() - 3 * settings_.sync_period_s * 1000000000LL;
    for (const auto& a : storage_.list_agents()) (a.last_seen_ns >= online_after ? g.agents_online : g.agents_offline)++;
    g.long_polls = broker_.waiting();
    for (TaskState s : {TaskState::pending, TaskState::delivered, TaskState::done, TaskState::error, TaskState::expired})
        g.tasks[to_string(s)] = 0;
    for (const auto& t : storage_.list_tasks(std::nullopt, 1000000)) ++g.tasks[to_string(t.state)];
    g.storage_bytes["database"] = file_size(settings_.database_path);
    g.storage_bytes["wal"] = file_size(settings_.database_path.empty() ? "" : settings_.database_path + "-wal");
    g.storage_bytes["files"] = directory_bytes(files_.dir());
    common::prom::Exposition process;
    common::render_process_metrics(process);
    Response out;
    out.content_type = common::prom::kContentType;
    out.body = metrics_.render(g) + process.render();
    return out;
}

}  // namespace vigil::central
