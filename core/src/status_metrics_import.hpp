// Turns the "metrics" array of a plugin's status JSON (the contract in
// <vigil/common/status_metrics.hpp>) into exposition families. A plugin is
// untrusted input here: names must start with vigil_, counters end in _total,
// labels are bounded in number and length, "plugin" and "le" are reserved,
// histograms must be well formed, and a plugin cannot add samples to a host
// family or change the type of a family another plugin created. Whatever is
// refused is counted and the first reason kept; the rest still renders.
#pragma once
#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <string_view>

#include <vigil/common/prometheus.hpp>

namespace vigil::core {

struct MetricsImportLimits {
    size_t max_families = 64;
    size_t max_samples = 1000;  // per plugin, histogram series count once
    size_t max_labels = 8;
    size_t max_label_value = 256;
    size_t max_buckets = 40;
    size_t max_help = 300;
};

struct MetricsImportResult {
    size_t accepted = 0;
    size_t rejected = 0;
    std::string first_error;
};

// `is_host_family(name)` is true for families the host renders itself.
MetricsImportResult import_status_metrics(std::string_view plugin, const rapidjson::Value& metrics,
                                          common::prom::Exposition& out,
                                          const std::function<bool(std::string_view)>& is_host_family,
                                          const MetricsImportLimits& limits = {});

}  // namespace vigil::core
