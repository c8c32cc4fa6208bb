#include "status.hpp"

namespace vigil::ioc_scanner {

std::string status_json(const StatusView& v) {
    std::string s = "{\"running\":" + std::string(v.running ? "true" : "false") +
                    ",\"scan_id\":" + std::to_string(v.scan_id);
    if (v.progress_json && !v.progress_json->empty()) s += ",\"progress\":" + *v.progress_json;
    s += ",\"stored_results\":[";
    if (v.results)
        for (size_t i = 0; i < v.results->size(); ++i) s += (i ? "," : "") + std::to_string((*v.results)[i].first);
    return s + "]}";
}

}  // namespace vigil::ioc_scanner
