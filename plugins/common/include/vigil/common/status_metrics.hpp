#pragma once
// How a plugin contributes Prometheus metrics without writing exposition
// text: it puts a "metrics" array into its status JSON (host->set_status_json)
// and vigild validates and renders it (docs/metrics.md, "Plugin metrics"):
//
//   "metrics": [
//     {"name": "vigil_sensor_events_total", "type": "counter", "help": "...",
//      "samples": [{"labels": {"type": "file"}, "value": 12}]},
//     {"name": "vigil_x_duration_seconds", "type": "histogram", "help": "...",
//      "samples": [{"labels": {}, "buckets": [[0.001, 3], [0.01, 7]], "sum": 0.02, "count": 9}]}
//   ]
//
// Bucket counts are cumulative (observations <= le). The host adds the label
// plugin="<name>" to every sample. StatusMetrics builds that array;
// Histogram is a lock-free fixed-bucket histogram to observe into.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <vigil/common/prometheus.hpp>

namespace vigil::common {

class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    Histogram(const Histogram&) = delete;
    Histogram& operator=(const Histogram&) = delete;

    void observe(double value);
    prom::HistogramData snapshot() const;
    const std::vector<double>& bounds() const { return bounds_; }

    // 100 µs .. 10 s, for latencies of local work (file scans, decisions).
    static std::vector<double> local_latency_bounds();
    // 10 ms .. 60 s, for network round trips (uploads).
    static std::vector<double> network_latency_bounds();

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bucket, not cumulative; last = above all bounds
    std::atomic<uint64_t> count_{0};
    std::atomic<double> sum_{0};
};

class StatusMetrics {
public:
    StatusMetrics& counter(std::string_view name, std::string_view help, prom::Labels labels, uint64_t value);
    StatusMetrics& gauge(std::string_view name, std::string_view help, prom::Labels labels, double value);
    StatusMetrics& histogram(std::string_view name, std::string_view help, prom::Labels labels,
                             const Histogram& h);
    // The JSON array for the status object's "metrics" member.
    std::string json() const;

private:
    prom::Exposition families_;
};

}  // namespace vigil::common
