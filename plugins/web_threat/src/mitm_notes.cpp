#include "mitm_notes.hpp"

#include <vigil/json_reader.hpp>

#include "web_events.hpp"

namespace vigil::web_threat {

namespace {

std::string text(const json::Value& v, const char* key) {
    const json::Value* m = v.find(key);
    return m && m->is_string() ? m->as_string() : std::string();
}

}  // namespace

bool MitmNotes::handle(const Host& host, const std::string& report_json) {
    json::Value r;
    if (!worker_report_of(report_json, "mitm", r)) return false;
    if (!r.is_object()) return true;
    const std::string event = text(r, "event"), site = text(r, "host"), reason = text(r, "reason");
    if (event == "excluded") {
        excluded_.fetch_add(1);
        host.info("web_threat: " + site + " excluded from the encrypted connections scan: " + reason);
    } else if (event == "untrusted_allowed") {
        untrusted_allowed_.fetch_add(1);
    } else if (event == "off") {
        host.error("web_threat: the worker runs without the encrypted connections scan: " + reason);
        std::lock_guard<std::mutex> g(mu_);
        off_ = reason;
    } else {
        errors_.fetch_add(1);
    }
    return true;
}

void MitmNotes::write_status(JsonWriter& w, bool enabled) const {
    w.key("mitm").begin_object().field("enabled", enabled);
    {
        std::lock_guard<std::mutex> g(mu_);
        w.field("off", off_);
    }
    w.field("excluded", excluded_.load())
        .field("errors", errors_.load())
        .field("untrusted_allowed", untrusted_allowed_.load())
        .end_object();
}

}  // namespace vigil::web_threat
