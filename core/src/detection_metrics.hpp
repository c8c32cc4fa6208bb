// Counts detections (threat messages) by plugin, detector, rule and severity,
// and action results by plugin, action and result, straight from the bus, so
// every detector is counted the same way without plugin code. A series exists
// only once its rule fired. Rule ids come from rule files (untrusted): the
// number of series is capped, later rules count under rule="_other".
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include <vigil/common/prometheus.hpp>

#include "bus.hpp"

namespace vigil::core {

class DetectionMetrics {
public:
    static constexpr size_t kMaxSeries = 2000;

    explicit DetectionMetrics(Bus& bus);
    ~DetectionMetrics();
    DetectionMetrics(const DetectionMetrics&) = delete;
    DetectionMetrics& operator=(const DetectionMetrics&) = delete;

    void on_message(const vigil_message& m);
    void render(common::prom::Exposition& out) const;

private:
    using ThreatKey = std::tuple<std::string, std::string, std::string, std::string>;  // plugin detector rule severity
    using ActionKey = std::tuple<std::string, std::string, std::string>;               // plugin action result
    template <class Map, class Key>
    void bump(Map& m, Key k, Key overflow);

    Bus& bus_;
    uint64_t threat_sub_ = 0, action_sub_ = 0;
    mutable std::mutex mu_;
    std::map<ThreatKey, uint64_t> threats_;
    std::map<ActionKey, uint64_t> actions_;
};

}  // namespace vigil::core
