#include "threat_reporter.hpp"

#include <algorithm>

#include "process_info.hpp"

namespace vigil::file_threat {

using vigil::json_escape;

uint64_t ThreatReporter::report_threat(const ThreatContext& ctx, const std::vector<Detection>& detections,
                                       const Digests& digests) {
    const uint64_t id = next_threat_id_++;
    threats_++;
    const Detection& d = detections.front();
    uint32_t severity = 0;
    for (const auto& x : detections) severity = std::max(severity, x.severity);

    std::string details = "{\"trigger\":\"" + json_escape(ctx.trigger) + "\",\"origin\":\"" +
                          json_escape(ctx.origin) + "\",\"size\":" + std::to_string(ctx.st.st_size) +
                          ",\"mode\":" + std::to_string(ctx.st.st_mode & 07777) +
                          ",\"uid\":" + std::to_string(ctx.st.st_uid) + ",\"gid\":" + std::to_string(ctx.st.st_gid) +
                          ",\"inode\":" + std::to_string(ctx.st.st_ino) + ",\"md5\":\"" + to_hex(digests.md5) +
                          "\",\"sha1\":\"" + to_hex(digests.sha1) + "\",\"sha256\":\"" + to_hex(digests.sha256) +
                          "\",\"detections\":" + detections_json(detections) + "}";

    vigil::PayloadBuilder<vigil_threat_event> b;
    b.head().severity = severity;
    b.head().threat_id = id;
    b.set(&vigil_threat_event::detector, d.engine);
    b.set(&vigil_threat_event::rule_id, d.rule);
    b.set(&vigil_threat_event::title, d.title);
    b.set(&vigil_threat_event::description, d.description);
    b.set(&vigil_threat_event::tags, d.tags);
    b.set(&vigil_threat_event::author, d.author);
    b.set(&vigil_threat_event::object_type, "file");
    b.set(&vigil_threat_event::object, ctx.path);
    b.set(&vigil_threat_event::sha256, to_hex(digests.sha256));
    b.set(&vigil_threat_event::details_json, details);
    if (ctx.pid > 0) b.set_process(&vigil_threat_event::process, read_process_info(ctx.pid));
    host_.publish(VIGIL_TYPE_THREAT, b, ctx.correlation_id);
    host_.counter_add("threats");
    host_.warn("threat " + std::to_string(id) + ": " + d.engine + " '" + d.rule + "' in " + ctx.path + " (" +
               ctx.trigger + ")");
    return id;
}

void ThreatReporter::report_action(uint64_t threat_id, const ThreatContext& ctx, const ActionOutcome& o) {
    (o.ok ? actions_ok_ : actions_failed_)++;
    vigil::PayloadBuilder<vigil_action_result> b;
    b.head().status = o.ok ? VIGIL_OK : VIGIL_EFAILED;
    b.head().threat_id = threat_id;
    b.head().correlation_id = ctx.correlation_id;
    b.set(&vigil_action_result::action, action_name(o.action));
    b.set(&vigil_action_result::object, ctx.path);
    b.set(&vigil_action_result::details_json, o.details_json.empty() ? "{}" : o.details_json);
    b.set(&vigil_action_result::error, o.error);
    b.set(&vigil_action_result::origin, ctx.origin);
    host_.publish(VIGIL_TYPE_ACTION_RESULT, b, ctx.correlation_id);
    host_.counter_add(o.ok ? "actions_ok" : "actions_failed");
    if (o.ok)
        host_.info(std::string(action_name(o.action)) + " " + ctx.path + ": done (threat " +
                   std::to_string(threat_id) + ")");
    else
        host_.warn(std::string(action_name(o.action)) + " " + ctx.path + " failed: " + o.error);
}

std::string ThreatReporter::quarantine(const ActionTarget& target) {
    vigil::common::FileRef ref = judged_ref(target);  // throws when the path cannot be resolved safely
    vigil_file_identity id{};
    id.struct_size = sizeof id;
    id.flags = ref.check_version ? VIGIL_FILE_CHECK_VERSION : 0;
    id.dev = ref.expect.dev;
    id.ino = ref.expect.ino;
    id.size = ref.expect.size;
    id.mtime_ns = ref.expect.mtime_ns;
    id.ctime_ns = ref.expect.ctime_ns;
    return host_.quarantine_put_at(ref.dir.get(), ref.name, ref.path, id, target.meta_json, false);
}

void ThreatReporter::log(int level, const std::string& message) {
    host_.log(vigil_log_level(level), message);
}

}  // namespace vigil::file_threat
