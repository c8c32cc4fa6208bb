// The connector's "metrics" status array (vigil/common/status_metrics.hpp):
// spool, uploads (with their latency), last successful contact, tasks.
#pragma once

#include <string>

#include "connection_state.hpp"
#include "spool.hpp"
#include "task_runner.hpp"
#include "uploader.hpp"

namespace vigil::kataedr {

struct ConnectorMetricsInputs {
    const Spool& spool;
    const UploaderCounters& uploads;
    const TaskCounters& tasks;
    const ConnectionState& connection;
    uint64_t rate_limited = 0;  // events the rate limiter dropped
};

std::string connector_metrics_json(const ConnectorMetricsInputs& in);

}  // namespace vigil::kataedr
