// Vigil C++ SDK: the two critical records every protection plugin publishes,
// built from named fields instead of payload offsets.
//
//   vigil::ActionResult r;
//   r.action = "quarantine"; r.object = path; r.origin = cmd.origin;
//   r.correlation_id = cmd.correlation_id; r.threat_id = id;
//   if (!ok) { r.status = VIGIL_EFAILED; r.error = why; }
//   r.publish(host());
//
// details_json / trigger_json must be JSON objects (or empty); build them with
// vigil::JsonWriter so strings are escaped and UTF-8-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "events.h"
#include "host.hpp"
#include "payload.hpp"

namespace vigil {

struct ActionResult {
    vigil_status status = VIGIL_OK;
    uint64_t threat_id = 0;       // 0 when not about a threat
    uint64_t correlation_id = 0;  // of the command that asked for it, if any
    std::string action;           // "block", "kill", "quarantine", "delete", "isolate", ...
    std::string object;           // what it acted on
    std::string details_json;
    std::string error;   // human-readable reason when status != OK
    std::string origin;  // who asked: "policy", "task:<id>", "vigilctl", a plugin

    PayloadBuilder<vigil_action_result> payload() const {
        PayloadBuilder<vigil_action_result> b;
        b.head().status = status;
        b.head().threat_id = threat_id;
        b.head().correlation_id = correlation_id;
        b.set(&vigil_action_result::action, action);
        b.set(&vigil_action_result::object, object);
        b.set(&vigil_action_result::details_json, details_json);
        b.set(&vigil_action_result::error, error);
        b.set(&vigil_action_result::origin, origin);
        return b;
    }
    vigil_status publish(const Host& host) const {
        return host.publish(VIGIL_TYPE_ACTION_RESULT, payload(), correlation_id);
    }
};

struct Threat {
    vigil_severity severity = VIGIL_SEV_MEDIUM;
    uint64_t threat_id = 0;         // unique per agent run; action results refer to it
    uint64_t trigger_sequence = 0;  // envelope sequence of the triggering event, if any
    uint64_t correlation_id = 0;    // of the command (an on-demand scan) that found it
    std::string detector;           // "sigma", "yara", "hash", "openioc", ...
    std::string rule_id, title, description;
    std::string tags;         // comma-separated, e.g. "attack.t1059,attack.execution"
    std::string author;
    std::string object_type;  // "file", "process", "host", "url", "ioc", ...
    std::string object;       // path, url, address, ...
    std::string sha256;
    std::string trigger_json;  // the triggering event as JSON, or empty
    std::string details_json;  // detector-specific JSON object, or empty
    std::optional<ProcessInfo> process;

    PayloadBuilder<vigil_threat_event> payload() const {
        PayloadBuilder<vigil_threat_event> b;
        b.head().severity = uint32_t(severity);
        b.head().threat_id = threat_id;
        b.head().trigger_sequence = trigger_sequence;
        b.set(&vigil_threat_event::detector, detector);
        b.set(&vigil_threat_event::rule_id, rule_id);
        b.set(&vigil_threat_event::title, title);
        b.set(&vigil_threat_event::description, description);
        b.set(&vigil_threat_event::tags, tags);
        b.set(&vigil_threat_event::author, author);
        b.set(&vigil_threat_event::object_type, object_type);
        b.set(&vigil_threat_event::object, object);
        b.set(&vigil_threat_event::sha256, sha256);
        b.set(&vigil_threat_event::trigger_json, trigger_json);
        b.set(&vigil_threat_event::details_json, details_json);
        if (process) b.set_process(&vigil_threat_event::process, *process);
        return b;
    }
    vigil_status publish(const Host& host) const { return host.publish(VIGIL_TYPE_THREAT, payload(), correlation_id); }
};

}  // namespace vigil
