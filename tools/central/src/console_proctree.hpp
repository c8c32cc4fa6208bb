#pragma once
// The process tree of one event, built by the server from the agent's stored events:
//   GET /api/v1/process_tree?agent=<agent id>&event=<event id>[&time_ns=<the event's time>]
// looks at that agent's process and detection events from 24 h before to 1 h after time_ns
// (default: now) and answers
//   {"self": node, "ancestors": [node, ... root first], "children": [node, ...]}
// node = {"pid", "cmd_line", "event_id" (0: no process event of it was stored), "time_ns",
//         "detections": [{"event_id", "title", "severity"}]}
// Ancestors follow parent pids, each the newest process event of that pid not after its
// child's; children are processes started at or after the event whose parent is its pid.
// 404 when the event is not a process or detection event of the agent in that window.
#include <cstdint>

#include "api.hpp"

namespace vigil::central {

Response process_tree(const Request& r, Storage& storage, int64_t now_ns);

}  // namespace vigil::central
