#include "action_event.hpp"

#include <rapidjson/document.h>

#include "json_util.hpp"

namespace vigil::response {

namespace {
// Embeds `json` when it parses (as it should), else as a string, so the
// details are always valid JSON.
void embed(JsonOut& o, const char* key, const std::string& json) {
    o.key(key);
    if (json.empty()) {
        o.null();
        return;
    }
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError())
        o.str(json);
    else
        o.raw(to_json(d));
}
}  // namespace

std::string task_id_of(std::string_view origin) {
    constexpr std::string_view prefix = "task:";
    if (origin.substr(0, prefix.size()) == prefix) return std::string(origin.substr(prefix.size()));
    return {};
}

std::string action_details_json(const ActionRecord& r) {
    JsonOut o;
    o.begin_object();
    o.field("command", "response." + r.action);
    o.field("origin", r.origin);
    std::string task = task_id_of(r.origin);
    if (!task.empty()) o.field("task_id", task);
    o.field("ok", r.status == VIGIL_OK);
    embed(o, "args", r.args_json);
    embed(o, "result", r.result_json);
    if (r.status != VIGIL_OK) o.field("error", r.error);
    o.end_object();
    return o.take();
}

PayloadBuilder<vigil_action_result> build_action_payload(const ActionRecord& r) {
    PayloadBuilder<vigil_action_result> b;
    b.head().status = r.status;
    b.head().threat_id = 0;
    b.head().correlation_id = r.correlation_id;
    b.set(&vigil_action_result::action, r.action);
    b.set(&vigil_action_result::object, sanitize_utf8(r.object));
    b.set(&vigil_action_result::details_json, action_details_json(r));
    b.set(&vigil_action_result::error, sanitize_utf8(r.error));
    b.set(&vigil_action_result::origin, sanitize_utf8(r.origin));
    return b;
}

}  // namespace vigil::response
