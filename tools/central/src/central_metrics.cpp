#include "central_metrics.hpp"

#include <set>

#include <vigil/common/prometheus.hpp>

#ifndef VIGIL_CENTRAL_VERSION  // set by CMake; the fuzzer's plain clang++ build has none
#define VIGIL_CENTRAL_VERSION "unknown"
#endif

namespace vigil::central {

namespace prom = common::prom;

std::string route_template(std::string_view path) {
    if (path == "/metrics") return "/metrics";
    constexpr std::string_view base = "/api/v1/";
    if (path.substr(0, base.size()) != base) return "other";
    // The fixed words of the API's routes; anything else in a path is an id. Routes are at
    // most a few segments deep, so the number of templates is bounded whatever clients send.
    static const std::set<std::string, std::less<>> words{
        "health", "agent", "agents", "sync", "telemetry", "tasks", "result", "file", "events", "stats",
        "enroll", "enrollments", "revoke", "revocations", "audit", "operators", "certificate", "certificates"};
    std::string out = "/api/v1";
    size_t parts = 0;
    std::string_view rest = path.substr(base.size());
    while (!rest.empty()) {
        size_t slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        if (++parts > 6) return "other";
        out += "/";
        out += words.count(part) ? std::string(part) : std::string("{id}");
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    return out;
}

CentralMetrics::CentralMetrics()
    : batch_seconds_({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}) {}

void CentralMetrics::request(const std::string& route, int status) {
    std::lock_guard<std::mutex> g(mu_);
    ++requests_[{route, status}];
}

void CentralMetrics::ingest(std::string_view result, uint64_t events, uint64_t compressed_bytes, double seconds) {
    {
        std::lock_guard<std::mutex> g(mu_);
        auto it = batches_.find(result);
        if (it == batches_.end()) it = batches_.emplace(std::string(result), 0).first;
        ++it->second;
        events_ += events;
        bytes_ += compressed_bytes;
    }
    batch_seconds_.observe(seconds);
}

CentralMetrics::Gauges CentralMetrics::cached(std::chrono::steady_clock::duration max_age,
                                              const std::function<Gauges()>& compute) {
    std::lock_guard<std::mutex> g(cache_mu_);
    const auto now = std::chrono::steady_clock::now();
    if (!cached_at_ || now - *cached_at_ >= max_age) {
        cache_ = compute();
        cached_at_ = now;
    }
    return cache_;
}

std::string CentralMetrics::render(const Gauges& g) const {
    prom::Exposition out;
    auto gauge = [&out](const char* name, const char* help) { return out.family(name, prom::Type::gauge, help); };
    auto counter = [&out](const char* name, const char* help) { return out.family(name, prom::Type::counter, help); };
    gauge("vigil_central_build_info", "vigil-central version (always 1)")->add({{"version", VIGIL_CENTRAL_VERSION}}, 1);
    {
        std::lock_guard<std::mutex> lk(mu_);
        auto* req = counter("vigil_central_http_requests_total", "HTTP requests by route template and status code");
        for (const auto& [k, n] : requests_) req->add({{"route", k.first}, {"code", std::to_string(k.second)}}, double(n));
        auto* b = counter("vigil_central_ingest_batches_total", "Telemetry batches by result");
        for (const char* r : {"stored", "duplicate", "rejected"}) {
            auto it = batches_.find(r);
            b->add({{"result", r}}, it == batches_.end() ? 0.0 : double(it->second));
        }
        counter("vigil_central_ingest_events_total", "Events stored")->add({}, double(events_));
        counter("vigil_central_ingest_bytes_total", "Compressed telemetry bytes received")->add({}, double(bytes_));
    }
    out.family("vigil_central_ingest_batch_duration_seconds", prom::Type::histogram,
               "Time to decompress, parse and store one telemetry batch")
        ->add_histogram({}, batch_seconds_.snapshot());
    auto* agents = gauge("vigil_central_agents", "Known agents by state (online: contact within 3 sync periods)");
    agents->add({{"state", "online"}}, double(g.agents_online));
    agents->add({{"state", "offline"}}, double(g.agents_offline));
    gauge("vigil_central_long_polls_active", "Agents waiting in a task long poll")->add({}, double(g.long_polls));
    auto* tasks = gauge("vigil_central_tasks", "Tasks by state");
    for (const auto& [state, n] : g.tasks) tasks->add({{"state", state}}, double(n));
    auto* storage = gauge("vigil_central_storage_bytes", "Bytes on disk: database, its write-ahead log, task files");
    for (const auto& [kind, n] : g.storage_bytes) storage->add({{"kind", kind}}, double(n));
    return out.render();
}

}  // namespace vigil::central
