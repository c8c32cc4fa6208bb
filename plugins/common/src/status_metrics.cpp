#include <vigil/common/status_metrics.hpp>

#include <algorithm>
#include <cmath>

#include <vigil/sdk.hpp>

namespace vigil::common {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
    std::sort(bounds_.begin(), bounds_.end());
    for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::observe(double v) {
    size_t i = size_t(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

prom::HistogramData Histogram::snapshot() const {
    prom::HistogramData d;
    d.bounds = bounds_;
    uint64_t running = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        d.cumulative.push_back(running);
    }
    // Read concurrently with observe(): keep the invariant count >= last bucket.
    running += buckets_[bounds_.size()].load(std::memory_order_relaxed);
    d.count = std::max(running, count_.load(std::memory_order_relaxed));
    d.sum = sum_.load(std::memory_order_relaxed);
    return d;
}

std::vector<double> Histogram::local_latency_bounds() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> Histogram::network_latency_bounds() {
    return {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

StatusMetrics& StatusMetrics::counter(std::string_view name, std::string_view help, prom::Labels labels,
                                      uint64_t value) {
    if (auto* f = families_.family(name, prom::Type::counter, help)) f->add(std::move(labels), double(value));
    return *this;
}

StatusMetrics& StatusMetrics::gauge(std::string_view name, std::string_view help, prom::Labels labels, double value) {
    if (auto* f = families_.family(name, prom::Type::gauge, help)) f->add(std::move(labels), value);
    return *this;
}

StatusMetrics& StatusMetrics::histogram(std::string_view name, std::string_view help, prom::Labels labels,
                                        const Histogram& h) {
    if (auto* f = families_.family(name, prom::Type::histogram, help)) f->add_histogram(std::move(labels), h.snapshot());
    return *this;
}

namespace {
std::string quoted(std::string_view s) { return "\"" + vigil::json_escape(s) + "\""; }

std::string number(double v) {
    // JSON has no infinities; the host treats a missing value as an error.
    return std::isfinite(v) ? prom::format_value(v) : "null";
}

std::string sample_json(const prom::Family& f, const prom::Sample& s) {
    std::string j = "{\"labels\":{";
    for (size_t i = 0; i < s.labels.size(); ++i)
        j += (i ? "," : "") + quoted(s.labels[i].first) + ":" + quoted(s.labels[i].second);
    j += "}";
    if (f.type != prom::Type::histogram) return j + ",\"value\":" + number(s.value) + "}";
    j += ",\"buckets\":[";
    for (size_t i = 0; i < s.histogram.bounds.size(); ++i)
        j += std::string(i ? "," : "") + "[" + number(s.histogram.bounds[i]) + "," +
             std::to_string(s.histogram.cumulative[i]) + "]";
    return j + "],\"sum\":" + number(s.histogram.sum) + ",\"count\":" + std::to_string(s.histogram.count) + "}";
}
}  // namespace

std::string StatusMetrics::json() const {
    std::string out = "[";
    bool first = true;
    auto emit = [&](const prom::Family& f) {
        out += std::string(first ? "" : ",") + "{\"name\":" + quoted(f.name) + ",\"type\":\"" +
               prom::type_name(f.type) + "\",\"help\":" + quoted(f.help) + ",\"samples\":[";
        first = false;
        for (size_t i = 0; i < f.samples.size(); ++i) out += (i ? "," : "") + sample_json(f, f.samples[i]);
        out += "]}";
    };
    families_.for_each(emit);
    return out + "]";
}

}  // namespace vigil::common
