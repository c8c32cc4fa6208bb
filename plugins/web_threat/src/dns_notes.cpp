#include "dns_notes.hpp"

#include <vigil/json_reader.hpp>

#include "web_events.hpp"

namespace vigil::web_threat {

bool DnsNotes::handle(const Host& host, const std::string& report_json) {
    json::Value r;
    if (!worker_report_of(report_json, "dns", r)) return false;
    if (!r.is_object()) return true;
    const json::Value* event = r.find("event");
    const json::Value* records = r.find("records");
    if (event && event->is_string() && event->as_string() == "ech_stripped") {
        ech_stripped_.fetch_add(records && records->is_uint64() ? records->as_uint64() : 0);
        return true;
    }
    // A hostile or broken upstream could send many: logged at 1, 2, 4, 8, ...
    const uint64_t n = servfail_.fetch_add(1) + 1;
    if ((n & (n - 1)) == 0) {
        const json::Value* reason = r.find("reason");
        host.warn("web_threat: an upstream DNS answer could not be walked (" +
                  (reason && reason->is_string() ? reason->as_string() : std::string("?")) +
                  "); the client got SERVFAIL (" + std::to_string(n) + " so far)");
    }
    return true;
}

void DnsNotes::write_status(JsonWriter& w) const {
    w.key("dns").begin_object().field("ech_stripped", ech_stripped_.load()).field("servfail", servfail_.load()).end_object();
}

}  // namespace vigil::web_threat
