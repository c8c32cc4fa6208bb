// The connector's status JSON (`vigilctl status`): the connector-contact contract
// first (read by other plugins, e.g. isolation), then connection, TLS, identity,
// spool, telemetry, rate limit, tasks and the "metrics" array.
#pragma once

#include <optional>
#include <string>

#include "agent_identity.hpp"
#include "connection_state.hpp"
#include "detection_trees.hpp"
#include "rate_limiter.hpp"
#include "settings.hpp"
#include "spool.hpp"
#include "task_runner.hpp"
#include "telemetry_pipeline.hpp"
#include "tls_material.hpp"
#include "uploader.hpp"
#include "url.hpp"

namespace vigil::kataedr {

struct StatusInputs {
    const Settings& settings;
    const std::string& agent_id;
    const std::optional<ProxyUrl>& proxy;
    const TlsMaterial& tls;
    const AgentIdentity& identity;
    const ConnectionState& connection;
    const Spool& spool;
    const PipelineCounters& pipeline;
    const UploaderCounters& uploads;
    const TaskCounters& tasks;
    size_t queued_results = 0;
    const DetectionTrees& trees;
    const RateLimiter& limiter;
    uint64_t next_batch_seq = 0;
};

std::string status_json(const StatusInputs& in);

}  // namespace vigil::kataedr
