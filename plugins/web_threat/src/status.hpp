// The plugin's status JSON (vigilctl status, the connector's heartbeat) and
// the description of a loaded list set (also the reply of
// web_threat.set_lists and web_threat.reload).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <vigil/json_writer.hpp>

#include "list_loader.hpp"
#include "list_set.hpp"
#include "settings.hpp"

namespace vigil::web_threat {

struct StatusInput {
    const Settings* settings = nullptr;
    std::shared_ptr<const ListSet> lists;
    size_t trusted_entries = 0;
    std::vector<std::string> list_errors;  // lists left out at the last load
    std::vector<std::string> problems;     // malformed lines of the last load (first few)
    int64_t loaded_at_ns = 0;
    int64_t load_ms = 0;
    uint64_t checks = 0;
    std::string interception_json;  // the "interception" object, or "" (null)
};

std::string status_json(const StatusInput& in);

// {"lists":[...],"domains":N,"urls":N,"ips":N,"memory_bytes":N} members
// written into an open object.
void write_list_set(JsonWriter& w, const ListSet& set);

}  // namespace vigil::web_threat
