#pragma once
// The central node's Prometheus metrics (docs/metrics.md, "Central node"): request and
// ingest counters kept as the API handles requests, plus gauges read at scrape time. No
// label ever names an agent: the series count does not grow with the fleet.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <vigil/common/status_metrics.hpp>

namespace vigil::central {

// "/api/v1/tasks/7f3a…/file" -> "/api/v1/tasks/{id}/file"; unknown paths -> "other", so a
// client cannot create series by inventing URLs.
std::string route_template(std::string_view path);

class CentralMetrics {
public:
    // What is read from storage and the broker when scraped.
    struct Gauges {
        uint64_t agents_online = 0, agents_offline = 0;
        uint64_t long_polls = 0;
        std::map<std::string, uint64_t> tasks;          // by state
        std::map<std::string, uint64_t> storage_bytes;  // database, wal, files
    };

    CentralMetrics();
    void request(const std::string& route, int status);
    // One telemetry batch: "stored", "duplicate" or "rejected".
    void ingest(std::string_view result, uint64_t events, uint64_t compressed_bytes, double seconds);
    std::string render(const Gauges& g) const;
    // The storage-derived gauges, computed by `compute` at most once per `max_age` whatever
    // the scrape rate (a viewer token in a loop cannot keep the database busy). Concurrent
    // scrapes wait for one computation and share it.
    Gauges cached(std::chrono::steady_clock::duration max_age, const std::function<Gauges()>& compute);

private:
    std::mutex cache_mu_;
    std::optional<std::chrono::steady_clock::time_point> cached_at_;
    Gauges cache_;
    mutable std::mutex mu_;
    std::map<std::pair<std::string, int>, uint64_t> requests_;
    std::map<std::string, uint64_t, std::less<>> batches_;
    uint64_t events_ = 0, bytes_ = 0;
    common::Histogram batch_seconds_;
};

}  // namespace vigil::central
