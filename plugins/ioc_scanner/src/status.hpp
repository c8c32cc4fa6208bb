// The plugin's status JSON: whether a scan runs, the last scan id, its
// progress and the ids of the stored results (ioc_scanner.status {"scan_id"}).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>

namespace vigil::ioc_scanner {

struct StatusView {
    bool running = false;
    uint64_t scan_id = 0;
    const std::string* progress_json = nullptr;  // the last progress event, or empty
    const std::deque<std::pair<uint64_t, std::string>>* results = nullptr;  // (scan_id, report JSON)
};

std::string status_json(const StatusView& v);

}  // namespace vigil::ioc_scanner
