// The terminate action is the response plugin's: ioc_scanner asks for it with
// `response.terminate_process` on the bus (one owner for killing processes,
// pinned with a pidfd and re-identified by start time there). This file builds
// the request and the action's details from the matched process.
#include <string>

#include <vigil/common/proc.hpp>
#include <vigil/json_writer.hpp>

#include "scan_engine.hpp"

namespace vigil::ioc_scanner {

std::string terminate_args(const TerminateTarget& t, unsigned grace_s) {
    vigil::JsonWriter w;
    w.begin_object().field("pid", t.pid);
    // The guard against pid reuse: the start time the process matched with,
    // in response's unit (CLOCK_REALTIME ns from /proc's start ticks).
    if (t.start_ticks != 0) w.field("start_time_ns", uint64_t(vigil::common::ticks_to_epoch_ns(t.start_ticks)));
    w.field("grace_s", grace_s).end_object();
    return w.take();
}

std::string terminate_details(const TerminateTarget& t, const std::string& response_json) {
    vigil::JsonWriter w;
    w.begin_object().field("pid", t.pid).field("exe", t.exe);
    if (!response_json.empty() && response_json.front() == '{') w.raw_field("response", response_json);
    w.end_object();
    return w.take();
}

}  // namespace vigil::ioc_scanner
