// Builds the plugin status JSON shown by `vigilctl status`.
#pragma once

#include "sensor_set.hpp"
#include "settings.hpp"
#include "telemetry_pipeline.hpp"

#include <string>

namespace vigil::behavior {

std::string describe_mechanisms(const SensorSet& sensors);
std::string status_json(const SensorSet& sensors, const TelemetryPipeline::Counters& c,
                        const ProcessTable::Stats& table, TelemetryPipeline& pipeline, const Settings& settings,
                        const std::string& detection_json);
// The "metrics" array of the status (vigil/common/status_metrics.hpp).
std::string status_metrics(const SensorSet& sensors, const TelemetryPipeline::Counters& c,
                           const ProcessTable::Stats& table, ExeHasher& hasher);

}  // namespace vigil::behavior
